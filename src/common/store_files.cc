#include "common/store_files.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace strata {

namespace {

class MappedWriter : public internal::LargeObjectWriter {
 public:
  MappedWriter(char* data, uint64_t size) : data_(data), size_(size) {}
  ~MappedWriter() override { Finish(); }
  char* data() override { return data_; }
  void Finish() override {
    if (data_ != nullptr) munmap(data_, size_);
    data_ = nullptr;
  }

 private:
  char* data_;
  uint64_t size_;
};

struct Mapping {
  Mapping(void* a, size_t s) : addr(a), size(s) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  void* addr;
  size_t size;
  ~Mapping() {
    if (addr != nullptr && addr != MAP_FAILED) munmap(addr, size);
  }
};

}  // namespace

Result<std::unique_ptr<internal::LargeObjectWriter>> CreateObjectFile(const std::string& path, uint64_t size) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return ErrnoError(errno, "cannot create object file " + path);
  }
  // posix_fallocate reserves the pages now, so a full /dev/shm fails here with
  // a clear error instead of SIGBUS on a later write.
  int rc = posix_fallocate(fd, 0, static_cast<off_t>(size));
  if (rc != 0) {
    close(fd);
    unlink(path.c_str());
    return ErrnoError(rc, "cannot reserve " + std::to_string(size) + " bytes for " + path);
  }
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  close(fd);
  if (addr == MAP_FAILED) {
    unlink(path.c_str());
    return ErrnoError(errno, "cannot map " + path);
  }
  return std::unique_ptr<internal::LargeObjectWriter>(std::make_unique<MappedWriter>(static_cast<char*>(addr), size));
}

std::unique_ptr<internal::LargeObjectWriter> ClaimPooledFile(const std::string& pool_dir,
                                                             const std::string& path,
                                                             uint64_t size, std::string* claimed) {
  DIR* dir = opendir(pool_dir.c_str());
  if (dir == nullptr) return nullptr;
  std::vector<std::pair<uint64_t, std::string>> candidates;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    struct stat st {};
    const std::string file = pool_dir + "/" + e->d_name;
    if (stat(file.c_str(), &st) != 0) continue;
    const auto fsize = static_cast<uint64_t>(st.st_size);
    if (fsize >= size && fsize <= 2 * size) candidates.emplace_back(fsize, e->d_name);
  }
  closedir(dir);
  std::sort(candidates.begin(), candidates.end());
  for (const auto& [fsize, name] : candidates) {
    const std::string from = pool_dir + "/" + name;
    if (rename(from.c_str(), path.c_str()) != 0) continue;  // another writer won it
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) {
      if (fd >= 0) close(fd);
      unlink(path.c_str());
      continue;
    }
    void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    close(fd);
    if (addr == MAP_FAILED) {
      unlink(path.c_str());
      continue;
    }
    *claimed = name;
    return std::make_unique<MappedWriter>(static_cast<char*>(addr), size);
  }
  return nullptr;
}

Status MapObjectFile(const std::string& path, internal::ObjectBytes* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError(errno, "cannot open object file " + path);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const Status failed = ErrnoError(errno, "cannot stat " + path);
    close(fd);
    return failed;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* addr = size == 0 ? nullptr : mmap(nullptr, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  close(fd);
  if (addr == MAP_FAILED) {
    return ErrnoError(errno, "cannot map " + path);
  }
  auto mapping = std::make_shared<Mapping>(addr, size);
  out->data = static_cast<const char*>(addr);
  out->size = size;
  out->keepalive = mapping;
  return OkStatus();
}

Status CopyObjectFile(const std::string& src, const std::string& dst) {
  int in = open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return ErrnoError(errno, "cannot open " + src);
  }
  int out = open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    const Status failed = ErrnoError(errno, "cannot create " + dst);
    close(in);
    return failed;
  }
  Status copied;
  bool in_kernel = true;
  for (;;) {
    ssize_t n = in_kernel ? copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0)
                          : sendfile(out, in, nullptr, 1 << 30);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      // tmpfs -> disk is a cross-filesystem copy, which copy_file_range
      // refuses on many kernels; sendfile still copies without a user buffer.
      if (in_kernel && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                        errno == EOPNOTSUPP)) {
        in_kernel = false;
        continue;
      }
      copied = ErrnoError(errno, "cannot copy to " + dst);
      break;
    }
  }
  close(in);
  close(out);
  if (!copied.ok()) unlink(dst.c_str());
  return copied;
}

}  // namespace strata
