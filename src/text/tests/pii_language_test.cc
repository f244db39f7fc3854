#include <gtest/gtest.h>

#include "text/language_id.h"
#include "text/pii.h"

namespace strata::text {
namespace {

std::string Mask(std::string_view text, std::array<int64_t, 5>* counts) { return MaskPii(PiiOptions(), text, counts); }

TEST(MaskPii, EachKindWithItsToken) {
  std::array<int64_t, 5> n{};
  EXPECT_EQ(Mask("mail john.doe+tag@mail.example.co.uk or x@y.io now", &n), "mail <EMAIL> or <EMAIL> now");
  EXPECT_EQ(Mask("from 192.168.0.1 and 10.0.0.255, not 999.1.1.1 or 1.2.3", &n),
            "from <IP_ADDRESS> and <IP_ADDRESS>, not 999.1.1.1 or 1.2.3");
  EXPECT_EQ(Mask("v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 and fe80::1 ok", &n),
            "v6 <IP_ADDRESS> and <IP_ADDRESS> ok");
  // 4111 1111 1111 1111 passes Luhn; the same with its last digit changed does not.
  EXPECT_EQ(Mask("card 4111 1111 1111 1111, fake 4111-1111-1111-1112", &n), "card <CREDIT_CARD>, fake 4111-1111-1111-1112");
  EXPECT_EQ(Mask("call +1 415-555-2671 or (030) 1234 5678", &n), "call <PHONE> or <PHONE>");
  EXPECT_EQ(n[static_cast<size_t>(PiiKind::kEmail)], 2);
  EXPECT_EQ(n[static_cast<size_t>(PiiKind::kIpv4)], 2);
  EXPECT_EQ(n[static_cast<size_t>(PiiKind::kIpv6)], 2);
  EXPECT_EQ(n[static_cast<size_t>(PiiKind::kCreditCard)], 1);
  EXPECT_EQ(n[static_cast<size_t>(PiiKind::kPhone)], 2);
}

TEST(MaskPii, LeavesOrdinaryNumbersAndText) {
  std::array<int64_t, 5> n{};
  const std::string text = "In 2023 the 3 cats ate 12.5 kg; version 1.2, time 10:30, score 3-1.";
  EXPECT_EQ(Mask(text, &n), text);
  EXPECT_EQ(Mask("", &n), "");
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398710"));
}

TEST(LanguageId, EnglishFrenchGermanAndGibberish) {
  const LanguageGuess en = IdentifyLanguage(
      "I wish it need not have happened in my time, said Frodo. So do I, said Gandalf, and so do all who "
      "live to see such times. But that is not for them to decide.");
  EXPECT_EQ(en.code, "en");
  EXPECT_GT(en.score, 0.65);
  EXPECT_EQ(IdentifyLanguage("Un magicien n'est jamais en retard Frodon Sacquet. Pas plus qu'il est en avance. "
                             "Il arrive précisément à l'heure prévue.").code,
            "fr");
  EXPECT_EQ(IdentifyLanguage("Ein Zauberer kommt nie zu spät, Frodo Beutlin. Noch kommt er zu früh. Er kommt "
                             "genau dann, wann er es beabsichtigt.").code,
            "de");
  EXPECT_EQ(IdentifyLanguage("").code, "un");
  EXPECT_EQ(IdentifyLanguage(std::string("The quick brown fox jumps over the lazy dog \xff\xfe and then "
                                         "runs far away into the forest to find its friends."))
                .code,
            "en");  // invalid bytes do not stop the reading
}

}  // namespace
}  // namespace strata::text
