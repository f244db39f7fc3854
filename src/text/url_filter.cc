#include "text/url_filter.h"

#include <algorithm>
#include <fstream>

namespace strata::text {

namespace {
bool Alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool IsIpAddress(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6 (bracketed)
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}
}  // namespace

Result<std::shared_ptr<const PublicSuffixes>> PublicSuffixes::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read the public suffix list " + path);
  auto psl = std::make_shared<PublicSuffixes>();
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("===BEGIN PRIVATE DOMAINS===") != std::string::npos) break;  // ICANN only
    const std::string_view rule = Trim(line);
    if (rule.empty() || rule.substr(0, 2) == "//") continue;
    if (rule.substr(0, 2) == "*.") {
      psl->wildcards_.emplace(rule.substr(2));
    } else if (rule[0] == '!') {
      psl->exceptions_.emplace(rule.substr(1));
    } else {
      psl->rules_.emplace(rule);
    }
  }
  if (psl->rules_.empty()) return InvalidArgument("no rules in the public suffix list " + path);
  return std::shared_ptr<const PublicSuffixes>(psl);
}

std::string PublicSuffixes::RegisteredDomain(std::string_view host) const {
  if (host.empty() || IsIpAddress(host)) return "";
  // Every label boundary, from the longest candidate suffix down: the first
  // (longest) rule that matches gives the public suffix.
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < host.size(); ++i) {
    if (host[i] == '.') starts.push_back(i + 1);
  }
  size_t suffix_start = std::string_view::npos;
  for (size_t k = 0; k < starts.size(); ++k) {
    const std::string candidate(host.substr(starts[k]));
    if (exceptions_.count(candidate) != 0) {  // "!city.kawasaki.jp": its parent is the suffix
      suffix_start = k + 1 < starts.size() ? starts[k + 1] : std::string_view::npos;
      break;
    }
    if (rules_.count(candidate) != 0) {
      suffix_start = starts[k];
      break;
    }
    if (k + 1 < starts.size() && wildcards_.count(std::string(host.substr(starts[k + 1]))) != 0) {
      suffix_start = starts[k];  // "*.ck": any label under it is a suffix
      break;
    }
  }
  if (suffix_start == std::string_view::npos) {
    // Not in the list: the last label counts as the suffix (tldextract
    // does not; it finds no suffix — and then no registered domain).
    return "";
  }
  if (suffix_start == 0) return "";  // the host is a public suffix itself
  const size_t dot = host.rfind('.', suffix_start - 2);
  return std::string(host.substr(dot == std::string_view::npos ? 0 : dot + 1));
}

std::string NormalizeUrlWord(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (Alnum(c)) out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  return out;
}

Status ReadListFile(const std::string& path, bool normalize, std::set<std::string>* out) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read the list " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string entry = normalize ? NormalizeUrlWord(line) : std::string(Trim(line));
    if (!entry.empty()) out->insert(entry);
  }
  return OkStatus();
}

std::string HostOf(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority[0] == '[') {  // [IPv6]:port
    const size_t close = authority.find(']');
    return std::string(authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  }
  if (const size_t colon = authority.find(':'); colon != std::string_view::npos) authority = authority.substr(0, colon);
  while (!authority.empty() && authority.back() == '.') authority.remove_suffix(1);
  std::string host(authority);
  for (char& c : host) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return host;
}

std::string JudgeUrl(const UrlFilterLists& l, const PublicSuffixes& suffixes, std::string_view url) {
  const std::string host = HostOf(url);
  const std::string registered = suffixes.RegisteredDomain(host);
  if (!registered.empty() && l.domains.count(registered) != 0) return "domain";
  if (!host.empty() && l.domains.count(host) != 0) return "subdomain";
  if (l.urls.count(std::string(url)) != 0) return "url";
  // The URL's words, split on everything but letters and digits (not lowercased).
  std::set<std::string> words;
  std::string word;
  for (char c : url) {
    if (Alnum(c)) {
      word.push_back(c);
    } else {
      words.insert(word);
      word.clear();
    }
  }
  words.insert(word);
  for (const std::string& w : l.banned_words) {
    if (words.count(w) != 0) return "hard_blacklisted";
  }
  int soft = 0;
  for (const std::string& w : l.soft_banned_words) soft += words.count(w) != 0;
  if (soft >= l.soft_word_threshold) return "soft_blacklisted";
  if (!l.banned_subwords.empty()) {
    const std::string flat = NormalizeUrlWord(url);
    for (const std::string& w : l.banned_subwords) {
      if (flat.find(w) != std::string::npos) return "blacklisted_subword";
    }
  }
  return "";
}

}  // namespace strata::text
