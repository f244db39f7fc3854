// Splitting text at a separator, the same way wherever Strata does it
// (the split() function, flat_map): every piece, empty ones included; an
// empty separator gives the whole text as one piece.
#pragma once

#include <string_view>

namespace strata::data {

template <class F>
void ForEachPiece(std::string_view text, std::string_view separator, F&& piece) {
  size_t start = 0;
  while (true) {
    const size_t at = separator.empty() ? std::string_view::npos : text.find(separator, start);
    piece(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return;
    start = at + separator.size();
  }
}

}  // namespace strata::data
