# -DSTRATA_SANITIZE=address,undefined (the `debug` preset) instruments everything.
set(STRATA_SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")
if(STRATA_SANITIZE)
  add_compile_options(-fsanitize=${STRATA_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${STRATA_SANITIZE})
endif()
