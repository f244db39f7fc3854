// The text library's cleaning steps: normalize_text, regex_filter,
// regex_replace, mask_pii, language_filter, text_stats. Every one reads
// `column` (default `text`).
#include <algorithm>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>
#include <re2/re2.h>
#include <re2/set.h>

#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"
#include "text/language_id.h"
#include "text/normalize.h"
#include "text/pii.h"
#include "text/sentencepiece_tokenizer.h"
#include "text/text_filter_step.h"
#include "text/text_map_steps.h"
#include "text/unicode.h"
#include "text/url_filter.h"

namespace strata::text {

namespace {

using json = nlohmann::ordered_json;
using data::StepInfo;

std::string Column(const json& p) { return p.value("column", std::string("text")); }

// `pattern: "..."` or `patterns: [...]`; each must compile.
Status Patterns(const json& p, std::vector<std::string>* out) {
  if (p.contains("pattern")) out->push_back(p["pattern"].get<std::string>());
  if (p.contains("patterns")) {
    for (const json& x : p["patterns"]) out->push_back(x.get<std::string>());
  }
  if (out->empty()) return InvalidArgument("give `pattern:` or `patterns:`");
  for (const std::string& pat : *out) {
    RE2 re(pat, RE2::Quiet);
    if (!re.ok()) return InvalidArgument("pattern '" + pat + "' does not compile: " + re.error());
  }
  return OkStatus();
}

// Which patterns match, in one pass over the text (RE2::Set).
class PatternSet {
 public:
  explicit PatternSet(const std::vector<std::string>& patterns)
      : set_(std::make_shared<RE2::Set>(RE2::DefaultOptions, RE2::UNANCHORED)) {
    for (const std::string& p : patterns) set_->Add(p, nullptr);
    set_->Compile();
  }
  bool Any(std::string_view text, std::vector<int>* which) const {
    which->clear();
    return set_->Match(re2::StringPiece(text.data(), text.size()), which);
  }

 private:
  std::shared_ptr<RE2::Set> set_;
};

void AddCleaningSteps(std::map<std::string, StepInfo>* r) {
  (*r)["normalize_text"].params = {"column", "output", "form", "lowercase", "fix_mojibake",
                                   "fix_html_entities", "remove_control", "collapse_whitespace"};
  (*r)["normalize_text"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    NormalizeOptions o;
    const std::string form = p.value("form", std::string("NFC"));
    if (form != "NFC" && form != "NFKC") {
      return InvalidArgument("form must be NFC or NFKC, not '" + form + "'");
    }
    o.nfkc = form == "NFKC";
    o.lowercase = p.value("lowercase", o.lowercase);
    o.fix_mojibake = p.value("fix_mojibake", o.fix_mojibake);
    o.fix_html_entities = p.value("fix_html_entities", o.fix_html_entities);
    o.remove_control = p.value("remove_control", o.remove_control);
    o.collapse_whitespace = p.value("collapse_whitespace", o.collapse_whitespace);
    return MakeTextRewrite(Column(p), p.value("output", Column(p)),
                           [o](std::string_view t, std::string* out, auto*) { return NormalizeTextInto(o, t, out); });
  };

  (*r)["text_stats"].params = {"column", "prefix"};
  (*r)["text_stats"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    return MakeTextStats(Column(p), p.value("prefix", std::string()));
  };

  // Drops documents any pattern matches (keep_matching: the others).
  (*r)["regex_filter"].params = {"column", "explain", "pattern", "patterns", "keep_matching"};
  (*r)["regex_filter"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    std::vector<std::string> patterns;
    STRATA_RETURN_IF_ERROR(Patterns(p, &patterns));
    const PatternSet set(patterns);
    const bool keep_matching = p.value("keep_matching", false);
    return MakeTextFilter("regex_filter", p, [set, keep_matching](std::string_view text, JudgeOutput*) {
      thread_local std::vector<int> which;
      const bool hit = set.Any(text, &which);
      if (hit == keep_matching) return std::string();
      return std::string(hit ? "regex_match" : "regex_no_match");
    });
  };

  // Each pattern's matches replaced, in order; documents no pattern matches
  // (most) are found in one pass and left alone.
  (*r)["regex_replace"].params = {"column", "output", "pattern", "patterns", "replacement", "replacements"};
  (*r)["regex_replace"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    std::vector<std::string> patterns, replacements;
    if (p.contains("replacements")) {
      for (const json& x : p["replacements"]) {
        patterns.push_back(x.at("pattern").get<std::string>());
        replacements.push_back(x.value("replacement", std::string()));
      }
    } else {
      STRATA_RETURN_IF_ERROR(Patterns(p, &patterns));
      replacements.assign(patterns.size(), p.value("replacement", std::string()));
    }
    if (patterns.empty()) {
      return InvalidArgument("give `pattern:` or `patterns:`");
    }
    auto regexes = std::make_shared<std::vector<std::unique_ptr<RE2>>>();
    for (size_t i = 0; i < patterns.size(); ++i) {
      regexes->push_back(std::make_unique<RE2>(patterns[i], RE2::Quiet));
      if (!regexes->back()->ok()) {
        return InvalidArgument("pattern '" + patterns[i] + "' does not compile: " + regexes->back()->error());
      }
      std::string why;
      if (!regexes->back()->CheckRewriteString(replacements[i], &why)) {
        return InvalidArgument("replacement '" + replacements[i] + "' for '" + patterns[i] + "': " + why);
      }
    }
    const PatternSet set(patterns);
    return MakeTextRewrite(Column(p), p.value("output", Column(p)),
                           [set, regexes, replacements](std::string_view t, std::string* out,
                                                        std::map<std::string, int64_t>* counts) {
                             thread_local std::vector<int> which;
                             if (!set.Any(t, &which)) return false;
                             out->assign(t);
                             int replaced = 0;
                             for (size_t i = 0; i < regexes->size(); ++i) {
                               replaced += RE2::GlobalReplace(out, *(*regexes)[i], replacements[i]);
                             }
                             (*counts)["replaced"] += replaced;
                             return replaced > 0;
                           });
  };

  (*r)["mask_pii"].params = {"column", "output", "kinds", "token", "tokens"};
  (*r)["mask_pii"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    PiiOptions o;
    if (p.contains("kinds")) {
      o.enabled.fill(false);
      for (const json& k : p["kinds"]) {
        const std::string name = k.get<std::string>();
        bool known = false;
        for (size_t i = 0; i < kPiiNames.size(); ++i) {
          if (name == kPiiNames[i] || (name == "ip" && (i == 1 || i == 2))) o.enabled[i] = known = true;
        }
        if (!known) {
          return InvalidArgument("unknown kind '" + name + "' (known: email, ip, ipv4, ipv6, credit_card, phone)");
        }
      }
    }
    if (p.contains("token")) o.tokens.fill(p["token"].get<std::string>());
    if (p.contains("tokens")) {
      for (auto it = p["tokens"].begin(); it != p["tokens"].end(); ++it) {
        for (size_t i = 0; i < kPiiNames.size(); ++i) {
          if (it.key() == kPiiNames[i] || (it.key() == "ip" && (i == 1 || i == 2))) o.tokens[i] = it.value().get<std::string>();
        }
      }
    }
    return MakeTextRewrite(Column(p), p.value("output", Column(p)),
                           [o](std::string_view t, std::string* out, std::map<std::string, int64_t>* counts) {
                             std::array<int64_t, 5> found{};
                             const bool masked = MaskPiiInto(o, t, out, &found);
                             for (size_t i = 0; i < found.size(); ++i) {
                               if (found[i] > 0) (*counts)[kPiiNames[i]] += found[i];
                             }
                             return masked;
                           });
  };

  // Writes `language` and `language_score`; keeps `languages` scoring at
  // least `language_threshold` (datatrove's LanguageFilter, with CLD2).
  (*r)["language_filter"].params = {"column", "explain", "languages", "language_threshold",
                                    "label_column", "score_column"};
  (*r)["language_filter"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    std::vector<std::string> languages = {"en"};
    if (p.contains("languages")) languages = p["languages"].get<std::vector<std::string>>();
    const double threshold = p.value("language_threshold", 0.65);
    FilterColumns columns{p.value("label_column", std::string("language")),
                          p.value("score_column", std::string("language_score"))};
    return MakeTextFilter("language_filter", p, [languages, threshold](std::string_view text, JudgeOutput* out) {
      const LanguageGuess g = IdentifyLanguage(text);
      out->label = g.code;
      out->score = g.score;
      const bool wanted = languages.empty() ||
                          std::find(languages.begin(), languages.end(), g.code) != languages.end();
      if (!wanted) return std::string("language");
      return g.score >= threshold ? std::string() : std::string("language_score");
    }, columns);
  };
}

}  // namespace

// datatrove's URLFilter (url_filter.h) on the `url` column.
void AddUrlFilter(std::map<std::string, StepInfo>* r) {
  (*r)["url_filter"].params = {"column", "explain", "soft_word_threshold", "extra_domains", "extra_urls",
                               "banned_words", "banned_subwords", "soft_banned_words", "domains_file",
                               "urls_file", "banned_words_file", "banned_subwords_file",
                               "soft_banned_words_file", "public_suffix_list"};
  (*r)["url_filter"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    auto lists = std::make_shared<UrlFilterLists>();
    lists->soft_word_threshold = p.value("soft_word_threshold", 2);
    struct Source {
      const char* inline_name;
      const char* file_name;
      bool normalize;
      std::set<std::string>* into;
    };
    const Source sources[] = {
        {"extra_domains", "domains_file", false, &lists->domains},
        {"extra_urls", "urls_file", false, &lists->urls},
        {"banned_words", "banned_words_file", true, &lists->banned_words},
        {"banned_subwords", "banned_subwords_file", true, &lists->banned_subwords},
        {"soft_banned_words", "soft_banned_words_file", true, &lists->soft_banned_words},
    };
    for (const Source& s : sources) {
      if (p.contains(s.inline_name)) {
        for (const json& x : p[s.inline_name]) {
          const std::string v = x.get<std::string>();
          if (v.empty() || v[0] == '#') continue;
          s.into->insert(s.normalize ? NormalizeUrlWord(v) : v);
        }
      }
      if (p.contains(s.file_name)) {
        if (Status st = ReadListFile(p[s.file_name].get<std::string>(), s.normalize, s.into); !st.ok()) {
          return InvalidArgument(std::string(s.file_name) + ": " + st.message());
        }
      }
    }
    auto suffixes = PublicSuffixes::Load(
        p.value("public_suffix_list", std::string("/usr/share/publicsuffix/public_suffix_list.dat")));
    if (!suffixes.ok()) {
      return InvalidArgument(suffixes.status().message() +
                             " (install Debian's publicsuffix, or set public_suffix_list:)");
    }
    json params = p;
    if (!params.contains("column")) params["column"] = "url";
    std::shared_ptr<const PublicSuffixes> psl = *suffixes;
    return MakeTextFilter("url_filter", params, [lists, psl](std::string_view url, JudgeOutput*) {
      return JudgeUrl(*lists, *psl, url);
    });
  };
}

// SentencePiece token ids (`ids_column`, default `tokens`) and counts
// (`count_column`, default `token_count`); "" leaves one out.
void AddTokenize(std::map<std::string, StepInfo>* r) {
  (*r)["tokenize"].params = {"column", "model", "ids_column", "count_column"};
  (*r)["tokenize"].required = {"model"};
  (*r)["tokenize"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    auto model = SubwordModel::Open(p["model"].get<std::string>());
    if (!model.ok()) {
      return InvalidArgument(model.status().message());
    }
    return MakeTokenize(Column(p), *model, p.value("ids_column", std::string("tokens")),
                        p.value("count_column", std::string("token_count")));
  };
}

// C4's bad-words filter (datatrove's C4BadWordsFilter): drops a document
// whose lowercased text has a listed word between non-word characters (for
// ja, th, zh: anywhere). One list for every document (`badwords_file`), or
// lists by language (`badwords_files: {en: PATH}`) of which the
// `default_language`'s applies — a per-row language column is not read yet. `keep_fraction` keeps that share of
// such documents, chosen by a hash of the text and `seed` (the same on every
// run and cluster size; datatrove draws from numpy's generator in document
// order instead).
void AddBadWords(std::map<std::string, StepInfo>* r) {
  (*r)["c4_badwords"].params = {"column", "explain", "badwords_file", "badwords_files", "default_language",
                                "keep_fraction", "seed", "fail_on_missing_language"};
  (*r)["c4_badwords"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    std::map<std::string, std::string> files;
    if (p.contains("badwords_file")) files["*"] = p["badwords_file"].get<std::string>();
    if (p.contains("badwords_files")) {
      for (auto it = p["badwords_files"].begin(); it != p["badwords_files"].end(); ++it) {
        files[it.key()] = it.value().get<std::string>();
      }
    }
    if (files.empty()) {
      return InvalidArgument(
          "give `badwords_file:` (one list) or `badwords_files:` (by language); no lists ship with Strata");
    }
    auto regexes = std::make_shared<std::map<std::string, std::unique_ptr<RE2>>>();
    for (const auto& [lang, path] : files) {
      std::set<std::string> words;
      if (Status st = ReadListFile(path, /*normalize=*/false, &words); !st.ok()) {
        return InvalidArgument("badwords for '" + lang + "': " + st.message());
      }
      std::string alternation;
      for (const std::string& w : words) alternation += (alternation.empty() ? "" : "|") + RE2::QuoteMeta(w);
      if (alternation.empty()) continue;
      const bool no_spaces = lang == "ja" || lang == "th" || lang == "zh";
      const std::string pattern =
          no_spaces ? "(?:" + alternation + ")" : "(?:[^\\pL\\pN_]|^)(?:" + alternation + ")(?:[^\\pL\\pN_]|$)";
      auto re = std::make_unique<RE2>(pattern);
      if (!re->ok()) {
        return InvalidArgument("badwords for '" + lang + "' do not compile: " + re->error());
      }
      (*regexes)[lang] = std::move(re);
    }
    const std::string default_language = p.value("default_language", std::string("en"));
    const bool fail_missing = p.value("fail_on_missing_language", true);
    const double keep_fraction = p.value("keep_fraction", 0.0);
    const uint64_t seed = p.value("seed", uint64_t{0});
    if (regexes->count("*") == 0 && regexes->count(default_language) == 0 && fail_missing) {
      return InvalidArgument("no badwords list for the default language '" + default_language +
                             "' (set fail_on_missing_language: false to keep such documents)");
    }
    const RE2* chosen = regexes->count("*") != 0 ? (*regexes)["*"].get()
                        : regexes->count(default_language) != 0 ? (*regexes)[default_language].get()
                                                                 : nullptr;
    return MakeTextFilter("c4_badwords", p, [regexes, chosen, keep_fraction, seed](std::string_view text, JudgeOutput*) {
      if (chosen == nullptr) return std::string();
      const std::string lower = Lower(text);
      if (!RE2::PartialMatch(lower, *chosen)) return std::string();
      if (keep_fraction > 0) {
        const uint64_t h = std::hash<std::string_view>()(text) ^ (seed * 0x9E3779B97F4A7C15ull);
        if (static_cast<double>(h >> 11) / static_cast<double>(1ull << 53) < keep_fraction) return std::string();
      }
      return std::string("document_removed_with_badwords");
    });
  };
}

void AddAll(std::map<std::string, StepInfo>* r) {
  AddCleaningSteps(r);
  AddBadWords(r);
  AddTokenize(r);
  AddUrlFilter(r);
}

const data::StepLibrary kCleaningSteps(AddAll);

}  // namespace strata::text
