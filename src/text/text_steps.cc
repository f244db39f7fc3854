// The text library's steps, in the step registry under datatrove's names and
// parameters. Every text step reads `column` (default `text`).
#include <nlohmann/json.hpp>

#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"
#include "text/quality_rules.h"
#include "text/text_filter_step.h"

namespace strata::text {

namespace {

using json = nlohmann::ordered_json;
using data::StepInfo;

// A number parameter; null (Python's None) or 0 turns the rule off.
double Number(const json& p, const char* name, double fallback) {
  if (!p.contains(name)) return fallback;
  const json& v = p[name];
  if (v.is_null()) return 0;
  if (!v.is_number()) throw json::type_error::create(302, std::string(name) + " must be a number or null", &v);
  return v.get<double>();
}

// Each named number parameter over its field's default.
void ReadNumbers(const json& p, std::initializer_list<std::pair<const char*, double*>> fields) {
  for (const auto& [name, field] : fields) *field = Number(p, name, *field);
}

// Each named parameter (bool or int) over its field's default.
template <class T>
void ReadValues(const json& p, std::initializer_list<std::pair<const char*, T*>> fields) {
  for (const auto& [name, field] : fields) *field = p.value(name, *field);
}

Status Tokenizer(const json& p, WordTokenizer* out) {
  const std::string name = p.value("word_tokenizer", std::string("english"));
  if (ParseWordTokenizer(name, out)) return OkStatus();
  return InvalidArgument("word_tokenizer must be english or whitespace, not '" + name + "'");
}

std::vector<std::pair<int, double>> NGramRules(const json& p, const char* name,
                                               std::vector<std::pair<int, double>> fallback) {
  if (!p.contains(name)) return fallback;
  std::vector<std::pair<int, double>> rules;
  for (const json& pair : p[name]) rules.emplace_back(pair.at(0).get<int>(), pair.at(1).get<double>());
  return rules;
}

std::set<std::string> With(std::set<std::string> own) {
  for (const char* p : kTextFilterParams) own.insert(p);
  return own;
}

template <class MakeJudge>
StepInfo Filter(const char* name, std::set<std::string> params, MakeJudge make_judge) {
  StepInfo info;
  info.params = With(std::move(params));
  info.make = [name, make_judge](const json& p) -> Result<std::unique_ptr<data::Step>> {
    Result<Judge> judge = make_judge(p);
    if (!judge.ok()) return judge.status();
    return MakeTextFilter(name, p, std::move(judge).value());
  };
  return info;
}

void AddTextSteps(std::map<std::string, StepInfo>* r) {
  (*r)["gopher_quality"] = Filter(
      "gopher_quality",
      {"min_doc_words", "max_doc_words", "min_avg_word_length", "max_avg_word_length",
       "max_symbol_word_ratio", "max_bullet_lines_ratio", "max_ellipsis_lines_ratio",
       "max_non_alpha_words_ratio", "min_stop_words", "stop_words", "word_tokenizer"},
      [](const json& p) -> Result<Judge> {
        GopherQualityParams g;
        ReadNumbers(p, {{"min_doc_words", &g.min_doc_words},
                        {"max_doc_words", &g.max_doc_words},
                        {"min_avg_word_length", &g.min_avg_word_length},
                        {"max_avg_word_length", &g.max_avg_word_length},
                        {"max_symbol_word_ratio", &g.max_symbol_word_ratio},
                        {"max_bullet_lines_ratio", &g.max_bullet_lines_ratio},
                        {"max_ellipsis_lines_ratio", &g.max_ellipsis_lines_ratio},
                        {"max_non_alpha_words_ratio", &g.max_non_alpha_words_ratio},
                        {"min_stop_words", &g.min_stop_words}});
        if (p.contains("stop_words")) g.stop_words = p["stop_words"].get<std::vector<std::string>>();
        STRATA_RETURN_IF_ERROR(Tokenizer(p, &g.tokenizer));
        return [g](std::string_view text, JudgeOutput*) { return GopherQuality(g, text); };
      });
  (*r)["gopher_repetition"] = Filter(
      "gopher_repetition",
      {"dup_line_frac", "dup_para_frac", "dup_line_char_frac", "dup_para_char_frac", "top_n_grams",
       "dup_n_grams", "word_tokenizer"},
      [](const json& p) -> Result<Judge> {
        GopherRepetitionParams g;
        ReadNumbers(p, {{"dup_line_frac", &g.dup_line_frac},
                        {"dup_para_frac", &g.dup_para_frac},
                        {"dup_line_char_frac", &g.dup_line_char_frac},
                        {"dup_para_char_frac", &g.dup_para_char_frac}});
        g.top_n_grams = NGramRules(p, "top_n_grams", g.top_n_grams);
        g.dup_n_grams = NGramRules(p, "dup_n_grams", g.dup_n_grams);
        STRATA_RETURN_IF_ERROR(Tokenizer(p, &g.tokenizer));
        return [g](std::string_view text, JudgeOutput*) { return GopherRepetition(g, text); };
      });
  (*r)["c4_quality"] = Filter(
      "c4_quality",
      {"split_paragraph", "remove_citations", "filter_no_terminal_punct", "min_num_sentences",
       "min_words_per_line", "max_word_length", "filter_lorem_ipsum", "filter_javascript",
       "filter_curly_bracket", "filter_policy"},
      [](const json& p) -> Result<Judge> {
        C4QualityParams c;
        ReadValues<bool>(p, {{"split_paragraph", &c.split_paragraph},
                             {"remove_citations", &c.remove_citations},
                             {"filter_no_terminal_punct", &c.filter_no_terminal_punct},
                             {"filter_lorem_ipsum", &c.filter_lorem_ipsum},
                             {"filter_javascript", &c.filter_javascript},
                             {"filter_curly_bracket", &c.filter_curly_bracket},
                             {"filter_policy", &c.filter_policy}});
        ReadValues<int>(p, {{"min_num_sentences", &c.min_num_sentences},
                            {"min_words_per_line", &c.min_words_per_line},
                            {"max_word_length", &c.max_word_length}});
        return [c](std::string_view text, JudgeOutput* out) {
          bool unchanged = false;
          std::string why = C4Quality(c, text, &out->rewritten, &unchanged);
          out->changed = why.empty() && !unchanged;
          return why;
        };
      });
  (*r)["c4_paragraph"] = Filter(
      "c4_paragraph", {"min_paragraphs", "min_paragraph_len"}, [](const json& p) -> Result<Judge> {
        C4ParagraphParams c;
        ReadValues<int>(p, {{"min_paragraphs", &c.min_paragraphs}, {"min_paragraph_len", &c.min_paragraph_len}});
        return [c](std::string_view text, JudgeOutput*) { return C4Paragraph(c, text); };
      });
  (*r)["fineweb_quality"] = Filter(
      "fineweb_quality",
      {"line_punct_thr", "line_punct_exclude_zero", "short_line_thr", "short_line_length",
       "char_duplicates_ratio", "new_line_ratio", "word_tokenizer"},
      [](const json& p) -> Result<Judge> {
        FineWebQualityParams f;
        ReadValues<double>(p, {{"line_punct_thr", &f.line_punct_thr},
                               {"short_line_thr", &f.short_line_thr},
                               {"char_duplicates_ratio", &f.char_duplicates_ratio},
                               {"new_line_ratio", &f.new_line_ratio}});
        ReadValues<bool>(p, {{"line_punct_exclude_zero", &f.line_punct_exclude_zero}});
        ReadValues<int>(p, {{"short_line_length", &f.short_line_length}});
        STRATA_RETURN_IF_ERROR(Tokenizer(p, &f.tokenizer));
        return [f](std::string_view text, JudgeOutput*) { return FineWebQuality(f, text); };
      });
}

}  // namespace

// Linked whole into every program that uses the library, so this runs.
const data::StepLibrary kTextSteps(AddTextSteps);

}  // namespace strata::text
