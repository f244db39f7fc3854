// mask_pii: e-mail addresses, IPv4 and IPv6 addresses, credit-card numbers
// (13-19 digits, spaces or dashes between, Luhn-checked) and phone numbers
// (international or grouped national forms), each replaced by a token.
// Checked in that order, so a card number is never taken for a phone.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::text {

enum class PiiKind { kEmail, kIpv4, kIpv6, kCreditCard, kPhone };
inline constexpr std::array<const char*, 5> kPiiNames = {"email", "ipv4", "ipv6", "credit_card", "phone"};

struct PiiOptions {
  std::array<bool, 5> enabled = {true, true, true, true, true};
  std::array<std::string, 5> tokens = {"<EMAIL>", "<IP_ADDRESS>", "<IP_ADDRESS>", "<CREDIT_CARD>", "<PHONE>"};
};

// The text with what was found replaced; `counts` (by PiiKind) adds them up.
std::string MaskPii(const PiiOptions& options, std::string_view text, std::array<int64_t, 5>* counts);
// The same into *out, or false (*out untouched) if nothing was found: a step
// keeps such texts without copying them.
bool MaskPiiInto(const PiiOptions& options, std::string_view text, std::string* out,
                 std::array<int64_t, 5>* counts);

bool LuhnValid(std::string_view digits);

}  // namespace strata::text
