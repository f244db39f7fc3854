// url_filter: datatrove's URLFilter on a URL column. A document is dropped
// for, in this order: its registered domain listed (`domain`), its full host
// listed (`subdomain`), the whole URL listed (`url`), a banned word among
// the URL's words (`hard_blacklisted`), at least `soft_word_threshold` soft
// banned words (`soft_blacklisted`), a banned subword inside the URL with
// everything but letters and digits removed, lowercased
// (`blacklisted_subword`). Lists come inline or from files (one entry per
// line, `#` comments); datatrove's bundled lists are not shipped.
// Registered domains follow the Public Suffix List's ICANN section
// (Debian's publicsuffix package), as tldextract does by default.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace strata::text {

class PublicSuffixes {
 public:
  // Reads a public_suffix_list.dat; an error names the file.
  static Result<std::shared_ptr<const PublicSuffixes>> Load(const std::string& path);
  // "hey.danger.org" -> "danger.org"; "" for an IP, a bare suffix or no dot.
  std::string RegisteredDomain(std::string_view host) const;

 private:
  std::unordered_set<std::string> rules_, wildcards_, exceptions_;
};

struct UrlFilterLists {
  std::set<std::string> domains, urls, banned_words, banned_subwords, soft_banned_words;
  int soft_word_threshold = 2;
};

// Entries of a list file, normalized as datatrove does for word lists
// (`normalize`: only letters and digits, lowercase) or kept (domains, URLs).
Status ReadListFile(const std::string& path, bool normalize, std::set<std::string>* out);

// The lowercase host of a URL ("" if it has none).
std::string HostOf(std::string_view url);

// The reason to drop the document with this URL, or "".
std::string JudgeUrl(const UrlFilterLists& lists, const PublicSuffixes& suffixes, std::string_view url);

// datatrove's normalize(): letters and digits only, lowercase.
std::string NormalizeUrlWord(std::string_view s);

}  // namespace strata::text
