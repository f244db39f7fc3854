// datatrove's simplify_text with its default TextNormConfig: lowercase,
// whitespace runs to one space (ends stripped), its PUNCTUATION characters
// removed, diacritics removed (NFD, then no Mn characters), digit runs to
// "0". What MinHash and normalized exact dedup compare.
#pragma once

#include <string>
#include <string_view>

namespace strata::text {

std::string SimplifyText(std::string_view text);
// The same, datatrove's steps one after the other (SimplifyText takes one
// pass, and falls back to these only for marks NFD could reorder; the tests
// check the two agree).
std::string SimplifyTextStepByStep(std::string_view text);

}  // namespace strata::text
