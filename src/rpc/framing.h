// Frames on a byte stream: [u32 length][u8 type][body], and msgpack helpers
// that turn a hostile or corrupt body into an error instead of a crash.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "rpc/messages.h"
#include "strata/internal/codec.h"

namespace strata::rpc {

// Frames above this are refused: nothing legitimate is this big (objects over
// 100 KiB go through the store, not through messages).
constexpr uint32_t kMaxFrameBytes = 512u << 20;
constexpr size_t kFrameHeaderBytes = 5;

template <class T>
void AppendFrame(std::string* out, MsgType type, const T& body) {
  const size_t start = out->size();
  out->append(kFrameHeaderBytes, '\0');
  struct Appender {
    std::string* s;
    void write(const char* p, size_t n) { s->append(p, n); }
  } sink{out};
  msgpack::pack(sink, body);
  const uint32_t len = static_cast<uint32_t>(out->size() - start - 4);
  for (int i = 0; i < 4; ++i) (*out)[start + i] = static_cast<char>((len >> (8 * i)) & 0xff);
  (*out)[start + 4] = static_cast<char>(type);
}

// Splits frames off the front of a buffer.
class FrameReader {
 public:
  enum class Result { kFrame, kNeedMore, kCorrupt };
  // On kFrame, type/body/body_size describe the frame, valid until Consume().
  // On kCorrupt, `error` says what was wrong.
  Result Next(const char* data, size_t size, MsgType* type, const char** body, size_t* body_size,
              size_t* frame_size, std::string* error) const;
};

// Decodes a body into T: DataLoss on malformed input, never throws.
template <class T>
Status DecodeBody(const char* body, size_t size, T* out) {
  try {
    // Limits bound what a hostile message can make the decoder allocate.
    msgpack::unpack_limit limit(/*array=*/16u << 20, /*map=*/1u << 20, /*str=*/kMaxFrameBytes,
                                /*bin=*/kMaxFrameBytes, /*ext=*/1u << 20, /*depth=*/32);
    // Referencing the frame (alive for this call) saves msgpack copying every
    // string and blob into its zone before convert() copies it again.
    msgpack::object_handle h = msgpack::unpack(body, size, internal::ReferenceInPlace, nullptr,
                                               limit);
    h.get().convert(*out);
    return OkStatus();
  } catch (const std::exception& e) {
    return DataLoss(e.what());
  }
}

// The reason an Error frame carries ("" when its body does not decode).
inline std::string ErrorReason(const char* body, size_t size) {
  std::string why;
  if (!DecodeBody(body, size, &why).ok()) why.clear();
  return why;
}

}  // namespace strata::rpc
