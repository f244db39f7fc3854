// Words as datatrove counts them. `english` is NLTK's word_tokenize — the
// text cut into sentences, each split by NLTKWordTokenizer's rules
// (punctuation its own token, "don't" -> "do", "n't", opening quotes as
// "``", closing as "''", a sentence's final period split off) — which
// datatrove's filters use for English. `whitespace` splits on whitespace
// only (NeMo Curator's heuristic filters).
//
// Exact: NLTKWordTokenizer's rules (nltk 3.9), applied in its order.
// Approximate: sentence ends. NLTK's Punkt model learned English
// abbreviations and capitalisation statistics from a corpus; here a
// sentence ends after `?`, `!` or a period unless the word is a common
// abbreviation or an initial, or an ellipsis not followed by a capital.
// Only where a period ends a word does this change the words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "text/word_list.h"

namespace strata::text {

enum class WordTokenizer { kEnglish, kWhitespace };

// Parses "english" / "whitespace"; false if neither.
bool ParseWordTokenizer(std::string_view name, WordTokenizer* out);

// The words of `text`, as pieces of it where they are (word_list.h).
WordList TokenizeWords(std::string_view text, WordTokenizer kind = WordTokenizer::kEnglish);
// The same words as strings.
std::vector<std::string> WordTokenize(std::string_view text, WordTokenizer kind = WordTokenizer::kEnglish);
// The sentences Punkt would find (approximately, see above), stripped. Jumps
// between the bytes that can end a sentence; SplitSentencesByChunks looks at
// every whitespace-separated chunk (the reference, and the way for text that
// is not valid UTF-8). Both give the same sentences.
std::vector<std::string_view> SplitSentences(std::string_view text);
std::vector<std::string_view> SplitSentencesByChunks(std::string_view text);
// NLTKWordTokenizer.tokenize on one sentence.
void TokenizeSentence(std::string_view sentence, WordList* words);
// The same two ways: NLTK's regex rules one after the other (the reference;
// every sentence can take it), and one scan that gives the same words for
// sentences without double quotes, backticks, `''` or typographic quotes,
// dashes and spaces — false (nothing added) for the others.
void TokenizeSentenceByRules(std::string_view sentence, WordList* words);
bool TokenizeSentenceFast(std::string_view sentence, WordList* words);

// TokenizeWords for a text of ASCII letters, digits and spaces, and symbols
// (©, €) standing between spaces (what simplify_text leaves of most text):
// no sentence ends and no rule but the contractions ("cannot" -> "can",
// "not") applies, so the words are the chunks between spaces, cut where a
// contraction stands. False (nothing added) for any other text.
bool TokenizePlainAscii(std::string_view text, WordList* words);

}  // namespace strata::text
