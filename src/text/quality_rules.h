// datatrove's heuristic quality filters, rule for rule: the same parameter
// names and defaults, the same order of checks, the same reason names
// (a document is dropped for the first rule it fails). Lengths are in code
// points, as Python's len(). A parameter set to 0 (Python: None or 0)
// turns its rule off, as datatrove's `if self.param and ...` does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/word_tokenizer.h"

namespace strata::text {

// The verdict: empty when kept, else datatrove's reason name.
using Reason = std::string;

struct GopherQualityParams {
  double min_doc_words = 50;
  double max_doc_words = 100000;
  double min_avg_word_length = 3;
  double max_avg_word_length = 10;
  double max_symbol_word_ratio = 0.1;
  double max_bullet_lines_ratio = 0.9;
  double max_ellipsis_lines_ratio = 0.3;
  double max_non_alpha_words_ratio = 0.8;
  double min_stop_words = 2;
  std::vector<std::string> stop_words = {"the", "be", "to", "of", "and", "that", "have", "with"};
  WordTokenizer tokenizer = WordTokenizer::kEnglish;
};
Reason GopherQuality(const GopherQualityParams& p, std::string_view text);

struct GopherRepetitionParams {
  double dup_line_frac = 0.3;
  double dup_para_frac = 0.3;
  double dup_line_char_frac = 0.2;
  double dup_para_char_frac = 0.2;
  std::vector<std::pair<int, double>> top_n_grams = {{2, 0.2}, {3, 0.18}, {4, 0.16}};
  std::vector<std::pair<int, double>> dup_n_grams = {{5, 0.15}, {6, 0.14}, {7, 0.13},
                                                     {8, 0.12}, {9, 0.11}, {10, 0.10}};
  WordTokenizer tokenizer = WordTokenizer::kEnglish;
};
Reason GopherRepetition(const GopherRepetitionParams& p, std::string_view text);

struct C4QualityParams {
  bool split_paragraph = true;
  bool remove_citations = true;
  bool filter_no_terminal_punct = true;
  int min_num_sentences = 5;    // -1: off
  int min_words_per_line = 3;   // -1: off
  int max_word_length = 1000;   // -1: off
  bool filter_lorem_ipsum = true;
  bool filter_javascript = true;
  bool filter_curly_bracket = true;
  bool filter_policy = true;
};
// Kept documents are rewritten (lines dropped) into `*kept_text`. Given
// `unchanged`, it says whether the kept text is the text itself; then
// `*kept_text` may be left as it was (no copy of a page nothing left).
Reason C4Quality(const C4QualityParams& p, std::string_view text, std::string* kept_text,
                 bool* unchanged = nullptr);

struct C4ParagraphParams {
  int min_paragraphs = 3;
  int min_paragraph_len = 200;
};
Reason C4Paragraph(const C4ParagraphParams& p, std::string_view text);

struct FineWebQualityParams {
  double line_punct_thr = 0.12;
  bool line_punct_exclude_zero = false;
  double short_line_thr = 0.67;
  int short_line_length = 30;
  double char_duplicates_ratio = 0.01;
  double new_line_ratio = 0.3;
  WordTokenizer tokenizer = WordTokenizer::kEnglish;
};
Reason FineWebQuality(const FineWebQualityParams& p, std::string_view text);

// Shared with other rules: (duplicate elements, their length in code points)
// — datatrove's find_duplicates.
std::pair<size_t, size_t> FindDuplicates(const std::vector<std::string_view>& items);
// datatrove's PUNCTUATION_SET: a word made only of these is a symbol.
bool IsSymbolChar(char32_t c);

}  // namespace strata::text
