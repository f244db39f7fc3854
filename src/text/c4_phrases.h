// The phrases c4_quality looks for in each kept line (lowercased, as
// datatrove does): "lorem ipsum", "javascript", and the policy ones.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::text {

enum C4Phrase : uint32_t { kLoremIpsum = 1, kJavascript = 2, kPolicy = 4 };

// The C4Phrase bits of the phrases `line`, lowercased, holds.
uint32_t C4PhrasesIn(std::string_view line);

}  // namespace strata::text
