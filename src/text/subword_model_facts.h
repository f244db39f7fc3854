// What the SentencePiece library keeps to itself about a loaded model: its
// type and the type of each piece (Debian's package ships no .proto, and the
// processor's public calls cannot tell a user-defined piece from a normal
// one). Read from the model's serialized protobuf, field numbers as in
// sentencepiece_model.proto.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::text {

enum class SubwordModelType : uint8_t { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };
enum class PieceType : uint8_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

struct SubwordModelFacts {
  SubwordModelType type = SubwordModelType::kUnigram;
  std::vector<PieceType> pieces;  // by id
  std::string normalizer;         // the normalization rule's name ("nmt_nfkc", "user_defined", ...)
};

// An error names the field that did not parse.
Result<SubwordModelFacts> ReadSubwordModelFacts(std::string_view serialized);

}  // namespace strata::text
