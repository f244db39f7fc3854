#include "common/byte_set.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace strata {

namespace {

uint64_t BitsBelow(size_t n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

#if defined(__x86_64__)
__attribute__((target("avx2"))) uint64_t MaskAvx2(const uint8_t* low, const uint8_t* high, const char* p) {
  const __m256i low_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(low)));
  const __m256i high_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(high)));
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  uint64_t mask = 0;
  for (int half = 0; half < 2; ++half) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * half));
    // pshufb reads a lane's table by the low four bits (a set high bit gives
    // 0, so the high nibble is masked after the shift).
    const __m256i by_low = _mm256_shuffle_epi8(low_table, _mm256_and_si256(x, nibble));
    const __m256i by_high = _mm256_shuffle_epi8(high_table, _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble));
    const __m256i outside = _mm256_cmpeq_epi8(_mm256_and_si256(by_low, by_high), _mm256_setzero_si256());
    const auto bits = static_cast<uint32_t>(~_mm256_movemask_epi8(outside));
    mask |= static_cast<uint64_t>(bits) << (32 * half);
  }
  return mask;
}

bool HasAvx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}
#endif

}  // namespace

uint64_t ByteSet::MaskByTable(const char* p, size_t n) const {
  uint64_t mask = 0;
  for (size_t k = 0; k < n && k < 64; ++k) {
    mask |= static_cast<uint64_t>(member_[static_cast<unsigned char>(p[k])]) << k;
  }
  return mask;
}

uint64_t ByteSet::Mask(std::string_view s, size_t from) const {
  const size_t n = from < s.size() ? std::min<size_t>(64, s.size() - from) : 0;
#if defined(__x86_64__)
  if (n == 0) return 0;
  if (by_nibbles_ && HasAvx2()) {
    if (n == 64) return MaskAvx2(low_.data(), high_.data(), s.data() + from);
    // Short of 64 bytes: the text's last 64, its first bits dropped.
    if (s.size() >= 64) return MaskAvx2(low_.data(), high_.data(), s.data() + s.size() - 64) >> (64 - n);
    char padded[64] = {};
    std::memcpy(padded, s.data() + from, n);
    return MaskAvx2(low_.data(), high_.data(), padded) & BitsBelow(n);
  }
#endif
  return MaskByTable(s.data() + from, n);
}

}  // namespace strata
