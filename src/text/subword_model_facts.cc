#include "text/subword_model_facts.h"

#include <string>

namespace strata::text {

namespace {

// One protobuf message's fields, read in order.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return at_ >= bytes_.size(); }

  // The next field: its number, and its value (a varint in *number_value,
  // a length-delimited field in *bytes_value; fixed-size ones are skipped).
  bool Next(uint32_t* field, uint64_t* number_value, std::string_view* bytes_value) {
    uint64_t key;
    if (!Varint(&key)) return false;
    *field = static_cast<uint32_t>(key >> 3);
    switch (key & 7) {
      case 0:
        return Varint(number_value);
      case 1:
        return Skip(8);
      case 5:
        return Skip(4);
      case 2: {
        uint64_t size;
        if (!Varint(&size) || size > bytes_.size() - at_) return false;
        *bytes_value = bytes_.substr(at_, size);
        at_ += size;
        return true;
      }
      default:
        return false;  // groups (3, 4) are not in SentencePiece's messages
    }
  }

 private:
  bool Varint(uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64 && at_ < bytes_.size(); shift += 7) {
      const auto byte = static_cast<uint8_t>(bytes_[at_++]);
      *value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool Skip(size_t n) {
    if (n > bytes_.size() - at_) return false;
    at_ += n;
    return true;
  }

  std::string_view bytes_;
  size_t at_ = 0;
};

// Calls field(number, varint value, length-delimited bytes) for each field
// of `message`; false if it does not parse.
template <typename OnField>
bool ForEachField(std::string_view message, OnField on_field) {
  WireReader reader(message);
  uint32_t field;
  uint64_t number = 0;
  std::string_view bytes;
  while (!reader.done()) {
    if (!reader.Next(&field, &number, &bytes)) return false;
    on_field(field, number, bytes);
  }
  return true;
}

constexpr uint32_t kModelPieces = 1, kModelTrainerSpec = 2, kModelNormalizerSpec = 3;
constexpr uint32_t kNormalizerName = 1;
constexpr uint32_t kPieceType = 3;
constexpr uint32_t kTrainerModelType = 3;

}  // namespace

Result<SubwordModelFacts> ReadSubwordModelFacts(std::string_view serialized) {
  SubwordModelFacts facts;
  std::string error;
  const bool parsed = ForEachField(serialized, [&](uint32_t field, uint64_t, std::string_view bytes) {
    if (!error.empty()) return;
    if (field == kModelPieces) {
      PieceType type = PieceType::kNormal;
      if (!ForEachField(bytes, [&](uint32_t f, uint64_t n, std::string_view) {
            if (f == kPieceType) type = static_cast<PieceType>(n);
          })) {
        error = "piece " + std::to_string(facts.pieces.size()) + " of the model does not parse";
      }
      facts.pieces.push_back(type);
    } else if (field == kModelTrainerSpec) {
      if (!ForEachField(bytes, [&](uint32_t f, uint64_t n, std::string_view) {
            if (f == kTrainerModelType) facts.type = static_cast<SubwordModelType>(n);
          })) {
        error = "the model's trainer_spec does not parse";
      }
    } else if (field == kModelNormalizerSpec) {
      if (!ForEachField(bytes, [&](uint32_t f, uint64_t, std::string_view b) {
            if (f == kNormalizerName) facts.normalizer = std::string(b);
          })) {
        error = "the model's normalizer_spec does not parse";
      }
    }
  });
  if (!parsed) return InvalidArgument("the model's protobuf does not parse");
  if (!error.empty()) return InvalidArgument(error);
  return facts;
}

}  // namespace strata::text
