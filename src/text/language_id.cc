#include "text/language_id.h"

// CLD2's header needs <cstdio> before it (it uses FILE without including it).
#include <cstdio>

#include <cld2/public/compact_lang_det.h>

#include "text/unicode.h"

namespace CLD2 {
const char* LanguageCode(Language lang);  // lang_script.h, not installed as public
}

namespace strata::text {

LanguageGuess IdentifyLanguage(std::string_view text) {
  CLD2::Language top3[3];
  int percent3[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  // The checked entry point: invalid UTF-8 is reported, not read past.
  double scores[3];
  int valid_prefix = 0;
  const CLD2::Language lang = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, nullptr, 0, top3, percent3, scores,
      nullptr, &text_bytes, &reliable, &valid_prefix);
  if (valid_prefix < static_cast<int>(text.size())) {
    // CLD2 stops at the first invalid byte: read the text without them.
    return IdentifyLanguage(ReplaceInvalidUtf8(text, ""));
  }
  LanguageGuess g;
  g.code = CLD2::LanguageCode(lang);
  g.score = g.code == "un" ? 0.0 : percent3[0] / 100.0;
  return g;
}

}  // namespace strata::text
