#include "common/binary_files.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <openssl/evp.h>

#include "common/session.h"

namespace strata {

Result<std::string> Sha256OfFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return CannotRead(path, errno);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  Status read_status;
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      read_status = CannotRead(path, errno);
      break;
    }
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(n));
  }
  close(fd);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  STRATA_RETURN_IF_ERROR(read_status);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

Result<std::string> ElfArchOf(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return CannotRead(path, errno);
  // e_ident and e_machine sit at the same offsets in 32- and 64-bit headers.
  unsigned char header[EI_NIDENT + 4] = {};
  const ssize_t n = pread(fd, header, sizeof(header), 0);
  close(fd);
  if (n < static_cast<ssize_t>(sizeof(header)) || std::memcmp(header, ELFMAG, SELFMAG) != 0) {
    return InvalidArgument(path + " is not an ELF executable");
  }
  const bool little = header[EI_DATA] == ELFDATA2LSB;
  const unsigned char* m = header + EI_NIDENT + 2;
  const unsigned machine = little ? (m[0] | (m[1] << 8)) : ((m[0] << 8) | m[1]);
  switch (machine) {
    case EM_X86_64:
      return std::string("x86_64");
    case EM_AARCH64:
      return std::string("arm64");
    default:
      return "elf-machine-" + std::to_string(machine);
  }
}

std::string BinaryCacheDir() {
  if (const char* env = std::getenv("STRATA_BINARY_CACHE"); env != nullptr && *env != '\0') {
    return env;
  }
  return SessionRoot() + "/binaries";
}

std::string CachedBinaryPath(const std::string& sha256) { return BinaryCacheDir() + "/" + sha256; }

bool IsValidSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace strata
