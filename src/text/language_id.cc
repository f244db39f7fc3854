#include "text/language_id.h"

// CLD2's header needs <cstdio> before it (it uses FILE without including it).
#include <cstdio>

#include <cld2/public/compact_lang_det.h>

#include <unordered_map>

#include "common/xxhash_inline.h"

#include "text/unicode.h"

namespace CLD2 {
const char* LanguageCode(Language lang);  // lang_script.h, not installed as public
}

namespace strata::text {

namespace {

LanguageGuess Detect(std::string_view text) {
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
    return Detect(ReplaceInvalidUtf8(text, ""));
  }
  LanguageGuess g;
  g.code = CLD2::LanguageCode(lang);
  g.score = g.code == "un" ? 0.0 : percent3[0] / 100.0;
  return g;
}

struct Hash128 {
  size_t operator()(const XXH128_hash_t& h) const { return static_cast<size_t>(h.low64); }
};
struct Same128 {
  bool operator()(const XXH128_hash_t& a, const XXH128_hash_t& b) const { return XXH128_isEqual(a, b) != 0; }
};

}  // namespace

// Crawls repeat whole pages (a twentieth of the test corpus): a page met
// before in this thread gets its answer again, keyed by a 128-bit hash of
// its bytes, not a second pass of CLD2 (the costliest step of the LLM text
// pipeline). Bounded: past kRemembered pages it starts over.
LanguageGuess IdentifyLanguage(std::string_view text) {
  constexpr size_t kRemembered = 1 << 16;
  thread_local std::unordered_map<XXH128_hash_t, LanguageGuess, Hash128, Same128> seen;
  const XXH128_hash_t key = XXH3_128bits(text.data(), text.size());
  if (auto it = seen.find(key); it != seen.end()) return it->second;
  if (seen.size() >= kRemembered) seen.clear();
  LanguageGuess g = Detect(text);
  seen.emplace(key, g);
  return g;
}

}  // namespace strata::text
