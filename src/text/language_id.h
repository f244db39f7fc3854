// Language identification with CLD2 (Debian's libcld2): the most likely
// language of a document as an ISO 639-1 code ("en", "de", "un" when
// unknown) and a score in [0, 1] — the share of the text CLD2 gives that
// language (CLD2 has no probability as fastText has).
#pragma once

#include <string>
#include <string_view>

namespace strata::text {

struct LanguageGuess {
  std::string code;
  double score = 0;
};

LanguageGuess IdentifyLanguage(std::string_view text);

}  // namespace strata::text
