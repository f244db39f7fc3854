// normalize_text: the clean-up every web-text pipeline starts with.
//   - fix mojibake: UTF-8 that was read as Windows-1252 or Latin-1 and
//     written out again ("donâ€™t" -> "don’t", "cafÃ©" -> "café"), when the
//     bytes it stands for are valid UTF-8;
//   - decode stray HTML entities (&amp; &lt; &gt; &quot; &apos; &#39; &nbsp;
//     and numeric ones);
//   - Unicode NFC (default) or NFKC (utf8proc);
//   - control characters removed (tab and newline kept; CR LF and CR
//     become LF), invalid UTF-8 bytes too;
//   - whitespace: runs of spaces and tabs inside a line become one space,
//     spaces at the ends of lines go, more than one blank line becomes one;
//   - optionally lowercase (Unicode simple case mapping, not byte-wise;
//     Python's lower() maps İ to "i̇", this to "i").
#pragma once

#include <string>
#include <string_view>

namespace strata::text {

struct NormalizeOptions {
  bool nfkc = false;  // form: NFKC; else NFC
  bool fix_mojibake = true;
  bool fix_html_entities = true;
  bool remove_control = true;
  bool collapse_whitespace = true;
  bool lowercase = false;
};

std::string NormalizeText(const NormalizeOptions& options, std::string_view text);
// The same into *out, or false (and *out unspecified) if the text is
// already normal: a step keeps such texts without copying them.
bool NormalizeTextInto(const NormalizeOptions& options, std::string_view text, std::string* out);

// The pieces, for tests.
std::string FixMojibake(std::string_view text);
std::string DecodeHtmlEntities(std::string_view text);

}  // namespace strata::text
