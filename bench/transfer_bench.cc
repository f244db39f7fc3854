// Object transfer between two node agents on loopback, side by side with a
// plain TCP copy of the same bytes in the same run. Needs a cluster whose
// second node has the custom resource {"far": 1} (bench/run_all.sh makes it).
// Prints one JSON line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include <strata/strata.h>

namespace {

// Reads its argument in place: the time is the transfer, not a copy here.
uint64_t Bytes(strata::ArrayView<double> v) { return v.size() * sizeof(double); }
STRATA_REMOTE(Bytes);

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The peer: one TCP connection on loopback, a sender thread writing from
// memory and this thread reading into memory, 1 MiB at a time.
double PlainTcpGbPerS(const std::vector<char>& data) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  socklen_t len = sizeof(sa);
  getsockname(listener, reinterpret_cast<sockaddr*>(&sa), &len);
  listen(listener, 1);
  std::thread sender([&] {
    int fd = accept(listener, nullptr, nullptr);
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd, data.data() + off, std::min<size_t>(1 << 20, data.size() - off), 0);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fd);
  });
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  std::vector<char> into(data.size());
  auto t = Clock::now();
  size_t got = 0;
  while (got < into.size()) {
    ssize_t n = recv(fd, into.data() + got, std::min<size_t>(1 << 20, into.size() - got), 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  const double s = Since(t);
  sender.join();
  close(fd);
  close(listener);
  return static_cast<double>(got) / 1e9 / s;
}

}  // namespace

int main() {
  strata::Init();
  const size_t bytes = size_t{512} << 20;
  std::vector<char> raw(bytes, 1);
  double tcp = 0;
  for (int i = 0; i < 3; ++i) tcp = std::max(tcp, PlainTcpGbPerS(raw));
  raw.clear();
  raw.shrink_to_fit();

  double strata_rate = 0;
  for (int i = 0; i < 3; ++i) {
    // A fresh object each time: the other node has no copy yet.
    auto obj = strata::Put(std::vector<double>(bytes / sizeof(double), 1.0));
    auto t = Clock::now();
    const uint64_t got = strata::Get(strata::Task(Bytes).SetResource("far", 1).Remote(obj));
    strata_rate = std::max(strata_rate, static_cast<double>(got) / 1e9 / Since(t));
  }
  std::printf("{\"transfer_gb_per_s\": %.4f, \"tcp_copy_gb_per_s\": %.4f, \"transfer_vs_tcp\": %.4f}\n",
              strata_rate, tcp, strata_rate / tcp);
  strata::Shutdown();
  return 0;
}
