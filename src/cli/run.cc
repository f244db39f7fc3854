// `strata run FILE.yaml [--address A]`: runs a pipeline file on the cluster
// at A, or on an embedded cluster on this machine (all cores) by default.
#include <cstdio>

#include <strata/strata.h>

#include "cli/commands.h"
#include "data/exec/pipeline.h"
#include "data/exec/console_reporter.h"
#include "data/plan/physical_plan.h"

namespace strata::cli {

int ExplainPipelineFile(const std::string& file) {
  data::PipelineSpec spec;
  std::string error, text;
  if (!data::LoadPipeline(file, &spec, &error)) {
    std::fprintf(stderr, "strata run: %s\n", error.c_str());
    return 2;
  }
  if (!data::ExplainPipeline(spec, &text, &error)) {
    std::fprintf(stderr, "strata run %s: %s\n", file.c_str(), error.c_str());
    return 2;
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

int RunPipelineFile(const std::string& file, const std::string& address, bool progress) {
  data::PipelineSpec spec;
  std::string error;
  if (!data::LoadPipeline(file, &spec, &error)) {
    std::fprintf(stderr, "strata run: %s\n", error.c_str());
    return 2;
  }
  strata::InitOptions options;
  options.address = address;
  try {
    strata::Init(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata run: %s\n", e.what());
    return 1;
  }
  data::ConsoleReporter console(file, progress);
  data::RunOptions run;
  run.observer = &console;
  int rc = 1;
  try {
    rc = data::RunPipeline(spec, run);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata run %s: %s\n", file.c_str(), e.what());
  }
  strata::Shutdown();
  return rc;
}

}  // namespace strata::cli
