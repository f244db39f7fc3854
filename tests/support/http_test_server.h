// A real HTTP/1.1 server on 127.0.0.1 for tests that need an endpoint
// speaking the same wire format as a service this machine cannot reach
// (EC2, the instance metadata service). Each request is handed to a
// function that returns the status and body; every request is recorded.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::testing {

struct HttpTestRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  // Form fields of a url-encoded body (EC2 Query API), decoded.
  std::map<std::string, std::string> form;
};

struct HttpTestResponse {
  int status = 200;
  std::string body;
};

class HttpTestServer {
 public:
  using Handler = std::function<HttpTestResponse(const HttpTestRequest&)>;
  explicit HttpTestServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd_, 64);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HttpTestServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<HttpTestRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  static std::string Decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  void Serve() {
    while (!stop_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string data;
      char buf[65536];
      size_t header_end = std::string::npos;
      size_t need = 0;
      for (;;) {
        const ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          const size_t cl = data.find("ontent-Length:");
          need = header_end + 4 +
                 (cl != std::string::npos && cl < header_end ? std::stoul(data.substr(cl + 14)) : 0);
        }
        if (data.size() >= need) break;
      }
      if (header_end == std::string::npos) {
        close(c);
        continue;
      }
      HttpTestRequest req;
      const std::string head = data.substr(0, header_end);
      const size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
      req.method = head.substr(0, sp1);
      req.path = head.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t pos = head.find("\r\n");
      while (pos != std::string::npos && pos < head.size()) {
        const size_t next = head.find("\r\n", pos + 2);
        const std::string line = head.substr(pos + 2, (next == std::string::npos ? head.size() : next) - pos - 2);
        const size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          req.headers[name] = value;
        }
        pos = next;
      }
      req.body = data.substr(header_end + 4);
      size_t start = 0;
      while (start < req.body.size()) {
        size_t end = req.body.find('&', start);
        if (end == std::string::npos) end = req.body.size();
        const std::string kv = req.body.substr(start, end - start);
        const size_t eq = kv.find('=');
        if (eq != std::string::npos) req.form[Decode(kv.substr(0, eq))] = Decode(kv.substr(eq + 1));
        start = end + 1;
      }
      HttpTestResponse resp = handler_(req);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      const std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\nContent-Length: " +
                              std::to_string(resp.body.size()) +
                              "\r\nConnection: close\r\n\r\n" + resp.body;
      [[maybe_unused]] ssize_t w = write(c, out.data(), out.size());
      close(c);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<HttpTestRequest> requests_;
};

}  // namespace strata::testing
