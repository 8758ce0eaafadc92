// storage_benchmark: the sqlite store against Debian's etcd on one workload.
//
// Figures: sequential write throughput (1 writer), concurrent write
// throughput (64 writers), list latency at 100k keys (whole range, and a
// first page of 500), watch delivery latency (write call -> event received).
// The same workload runs against /usr/bin/etcd when it is installed: the
// benchmark starts it on loopback ports in a temp dir and stops it by PID.
// We have no gRPC client, so the etcd side goes through etcd's JSON gateway
// (grpc-gateway: POST /v3/kv/put, /v3/kv/range, /v3/watch) over keep-alive
// HTTP/1.1; that adds JSON+base64 encoding and an extra in-process hop on
// etcd's side, which the printout notes.
//
// Usage: storage_benchmark [--quick] [--no-etcd]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "common/testing/temp_dir.h"
#include "storage/sqlite/sqlite_store.h"

namespace kubepp::bench {
namespace {

using Clk = std::chrono::steady_clock;
using storage::Store;

double Seconds(Clk::duration d) { return std::chrono::duration<double>(d).count(); }
double Millis(Clk::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Config {
  bool quick = false;
  int seq_writes = 3000;
  int concurrent_writers = 64;
  int concurrent_writes = 64000;
  int list_keys = 100000;
  int full_list_runs = 5;
  int page_list_runs = 30;
  int watch_samples = 500;
  size_t value_bytes = 256;
};

// The operations each figure needs; one implementation per system.
class Backend {
 public:
  virtual ~Backend() = default;
  // Returns false on failure. Must be callable from many threads.
  virtual bool Put(int thread, const std::string& key, const std::string& value) = 0;
  // Number of keys returned by a list of `prefix` (limit 0 = all), or -1.
  virtual long List(const std::string& prefix, int limit) = 0;
  // Starts a watch on prefix calling on_event(key, value) per PUT event.
  virtual bool Watch(const std::string& prefix, std::function<void(const std::string&, const std::string&)> on_event) = 0;
  virtual void StopWatch() = 0;
};

// ---- kubepp (sqlite) ----

class KubeppBackend final : public Backend {
 public:
  explicit KubeppBackend(std::unique_ptr<Store> s) : store_(std::move(s)) {}
  ~KubeppBackend() override { StopWatch(); }
  bool Put(int, const std::string& key, const std::string& value) override { return store_->Put(key, value).ok(); }
  long List(const std::string& prefix, int limit) override {
    auto r = store_->List({storage::KeyRange::Prefix(prefix), 0, limit});
    return r.ok() ? static_cast<long>(r->kvs.size()) : -1;
  }
  bool Watch(const std::string& prefix,
             std::function<void(const std::string&, const std::string&)> on_event) override {
    auto w = store_->Watch({storage::KeyRange::Prefix(prefix)});
    if (!w.ok()) return false;
    watch_ = std::move(*w);
    stop_ = false;
    thread_ = std::thread([this, on_event] {
      while (!stop_) {
        auto events = watch_->Next(std::chrono::milliseconds(50));
        if (!events.ok()) return;
        for (const auto& e : *events) on_event(e.kv.key, e.kv.value);
      }
    });
    return true;
  }
  void StopWatch() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    watch_.reset();
  }

 private:
  std::unique_ptr<Store> store_;
  storage::WatchPtr watch_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ---- etcd over its JSON gateway ----

// A minimal keep-alive HTTP/1.1 client on one loopback connection.
class HttpConn {
 public:
  explicit HttpConn(int port) : port_(port) {}
  ~HttpConn() {
    if (fd_ >= 0) close(fd_);
  }
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd_);
      fd_ = -1;
      return false;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
  }
  // Sends a POST; for a unary call reads the whole body.
  bool Send(const std::string& path, const std::string& body) {
    if (fd_ < 0 && !Connect()) return false;
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    size_t off = 0;
    while (off < req.size()) {
      ssize_t n = write(fd_, req.data() + off, req.size() - off);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  std::optional<std::string> Post(const std::string& path, const std::string& body) {
    if (!Send(path, body)) return std::nullopt;
    int status;
    bool chunked;
    long length;
    if (!ReadHead(&status, &chunked, &length)) return std::nullopt;
    std::string out;
    if (chunked) {
      std::string chunk;
      while (ReadChunk(&chunk)) {
        if (chunk.empty()) break;
        out += chunk;
      }
    } else {
      if (!ReadN(static_cast<size_t>(length), &out)) return std::nullopt;
    }
    if (status != 200) {
      fprintf(stderr, "etcd %s: HTTP %d %s\n", path.c_str(), status, out.substr(0, 200).c_str());
      return std::nullopt;
    }
    return out;
  }
  bool ReadHead(int* status, bool* chunked, long* length) {
    std::string head;
    for (;;) {
      size_t pos = buf_.find("\r\n\r\n");
      if (pos != std::string::npos) {
        head = buf_.substr(0, pos);
        buf_.erase(0, pos + 4);
        break;
      }
      if (!Fill()) return false;
    }
    *status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    *chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
    size_t cl = lower.find("content-length:");
    *length = cl == std::string::npos ? 0 : std::atol(lower.c_str() + cl + 15);
    return true;
  }
  // One chunk of a chunked body; empty at the end.
  bool ReadChunk(std::string* chunk) {
    size_t pos;
    while ((pos = buf_.find("\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    size_t size = std::stoul(buf_.substr(0, pos), nullptr, 16);
    buf_.erase(0, pos + 2);
    chunk->clear();
    if (!ReadN(size, chunk)) return false;
    std::string crlf;
    return ReadN(2, &crlf);
  }
  int fd() const { return fd_; }

 private:
  bool Fill() {
    char tmp[1 << 16];
    ssize_t n = read(fd_, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  bool ReadN(size_t n, std::string* out) {
    while (buf_.size() < n) {
      if (!Fill()) return false;
    }
    out->append(buf_, 0, n);
    buf_.erase(0, n);
    return true;
  }

  int port_;
  int fd_ = -1;
  std::string buf_;
};

class EtcdBackend final : public Backend {
 public:
  EtcdBackend(int port, int threads) : port_(port) {
    for (int i = 0; i < threads + 1; ++i) conns_.push_back(std::make_unique<HttpConn>(port));
  }
  ~EtcdBackend() override { StopWatch(); }
  bool Put(int thread, const std::string& key, const std::string& value) override {
    auto r = conns_[static_cast<size_t>(thread)]->Post(
        "/v3/kv/put", R"({"key":")" + Base64Encode(key) + R"(","value":")" + Base64Encode(value) + R"("})");
    return r.has_value();
  }
  long List(const std::string& prefix, int limit) override {
    std::string body = R"({"key":")" + Base64Encode(prefix) + R"(","range_end":")" + Base64Encode(storage::KeyRange::Prefix(prefix).end) + "\"";
    if (limit > 0) body += ",\"limit\":" + std::to_string(limit);
    body += "}";
    auto r = conns_.back()->Post("/v3/kv/range", body);
    if (!r) return -1;
    // Decode as a client would: parse and base64-decode every item.
    try {
      auto j = nlohmann::json::parse(*r);
      long n = 0;
      if (j.contains("kvs")) {
        for (const auto& kv : j["kvs"]) {
          std::string k = Base64Decode(kv.value("key", "")).value_or("");
          std::string v = Base64Decode(kv.value("value", "")).value_or("");
          n += !k.empty();
        }
      }
      return n;
    } catch (const std::exception& e) {
      fprintf(stderr, "etcd range: %s\n", e.what());
      return -1;
    }
  }
  bool Watch(const std::string& prefix,
             std::function<void(const std::string&, const std::string&)> on_event) override {
    watch_ = std::make_unique<HttpConn>(port_);
    std::string body = R"({"create_request":{"key":")" + Base64Encode(prefix) + R"(","range_end":")" +
                       Base64Encode(storage::KeyRange::Prefix(prefix).end) + R"("}})";
    if (!watch_->Send("/v3/watch", body)) return false;
    int status;
    bool chunked;
    long length;
    if (!watch_->ReadHead(&status, &chunked, &length) || status != 200 || !chunked) return false;
    std::promise<bool> created;
    auto created_f = created.get_future();
    thread_ = std::thread([this, on_event, p = std::move(created)]() mutable {
      std::string pending, chunk;
      bool announced = false;
      while (watch_->ReadChunk(&chunk) && !chunk.empty()) {
        pending += chunk;
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
          std::string line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          try {
            auto j = nlohmann::json::parse(line);
            const auto& res = j.at("result");
            if (!announced && res.value("created", false)) {
              announced = true;
              p.set_value(true);
            }
            if (res.contains("events")) {
              for (const auto& e : res["events"]) {
                const auto& kv = e.at("kv");
                on_event(Base64Decode(kv.value("key", "")).value_or(""), Base64Decode(kv.value("value", "")).value_or(""));
              }
            }
          } catch (const std::exception& e) {
            fprintf(stderr, "etcd watch: %s\n", e.what());
          }
        }
      }
      if (!announced) p.set_value(false);
    });
    return created_f.wait_for(std::chrono::seconds(10)) == std::future_status::ready && created_f.get();
  }
  void StopWatch() override {
    if (watch_ && watch_->fd() >= 0) shutdown(watch_->fd(), SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    watch_.reset();
  }

 private:
  int port_;
  std::vector<std::unique_ptr<HttpConn>> conns_;
  std::unique_ptr<HttpConn> watch_;
  std::thread thread_;
};

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// Runs /usr/bin/etcd in `dir` until destroyed (stopped by PID).
class EtcdProcess {
 public:
  bool Start(const std::string& dir) {
    client_port_ = FreePort();
    int peer = FreePort();
    std::string c = "http://127.0.0.1:" + std::to_string(client_port_);
    std::string p = "http://127.0.0.1:" + std::to_string(peer);
    std::vector<std::string> args = {"/usr/bin/etcd",
                                     "--name=bench",
                                     "--data-dir=" + dir + "/etcd",
                                     "--listen-client-urls=" + c,
                                     "--advertise-client-urls=" + c,
                                     "--listen-peer-urls=" + p,
                                     "--initial-advertise-peer-urls=" + p,
                                     "--initial-cluster=bench=" + p,
                                     "--logger=zap",
                                     "--log-level=error"};
    std::string log = dir + "/etcd.log";
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = freopen(log.c_str(), "w", stdout);
      (void)f;
      dup2(fileno(stdout), 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    if (pid_ < 0) return false;
    auto deadline = Clk::now() + std::chrono::seconds(20);
    while (Clk::now() < deadline) {
      HttpConn probe(client_port_);
      if (probe.Connect() && probe.Post("/v3/kv/range", R"({"key":"AA=="})")) return true;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  ~EtcdProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    auto deadline = Clk::now() + std::chrono::seconds(10);
    int status;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clk::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  int client_port() const { return client_port_; }

 private:
  pid_t pid_ = -1;
  int client_port_ = 0;
};

// ---- the workload ----

struct Figures {
  double seq_ops = 0, conc_ops = 0, full_list_ms = 0, page_list_ms = 0, watch_p50_ms = 0, watch_p99_ms = 0;
  bool ok = true;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Writes `total` puts from `threads` threads; returns ops/s.
double ParallelPuts(Backend& b, int threads, int total, const std::string& prefix, int key_space,
                    const std::string& value, bool* ok) {
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  auto start = Clk::now();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      char key[64];
      for (int i; (i = next.fetch_add(1)) < total;) {
        snprintf(key, sizeof key, "%s%06d", prefix.c_str(), i % key_space);
        if (!b.Put(t, key, value)) ++failures;
      }
    });
  }
  for (auto& t : ts) t.join();
  double s = Seconds(Clk::now() - start);
  if (failures.load() > 0) {
    fprintf(stderr, "%d puts failed\n", failures.load());
    *ok = false;
  }
  return total / s;
}

Figures Run(Backend& b, const Config& cfg, const char* name) {
  Figures f;
  const std::string value(cfg.value_bytes, 'v');
  fprintf(stderr, "[%s] sequential writes...\n", name);
  f.seq_ops = ParallelPuts(b, 1, cfg.seq_writes, "/bench/seq/", 1000, value, &f.ok);
  fprintf(stderr, "[%s] concurrent writes...\n", name);
  f.conc_ops = ParallelPuts(b, cfg.concurrent_writers, cfg.concurrent_writes, "/bench/conc/", 1000, value, &f.ok);
  fprintf(stderr, "[%s] loading %d keys...\n", name, cfg.list_keys);
  ParallelPuts(b, cfg.concurrent_writers, cfg.list_keys, "/bench/list/", cfg.list_keys, value, &f.ok);
  std::vector<double> full, page;
  for (int i = 0; i < cfg.full_list_runs; ++i) {
    auto t = Clk::now();
    long n = b.List("/bench/list/", 0);
    full.push_back(Millis(Clk::now() - t));
    if (n != cfg.list_keys) {
      fprintf(stderr, "[%s] full list returned %ld keys\n", name, n);
      f.ok = false;
    }
  }
  for (int i = 0; i < cfg.page_list_runs; ++i) {
    auto t = Clk::now();
    long n = b.List("/bench/list/", 500);
    page.push_back(Millis(Clk::now() - t));
    if (n != 500) f.ok = false;
  }
  f.full_list_ms = Percentile(full, 0.5);
  f.page_list_ms = Percentile(page, 0.5);

  fprintf(stderr, "[%s] watch latency...\n", name);
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Clk::time_point> received;
  bool watching = b.Watch("/bench/watch/", [&](const std::string& k, const std::string&) {
    std::lock_guard lock(mu);
    received[k] = Clk::now();
    cv.notify_all();
  });
  if (!watching) {
    fprintf(stderr, "[%s] watch failed\n", name);
    f.ok = false;
    return f;
  }
  std::vector<double> lat;
  for (int i = 0; i < cfg.watch_samples; ++i) {
    std::string key = "/bench/watch/" + std::to_string(i);
    auto t = Clk::now();
    if (!b.Put(0, key, value)) {
      f.ok = false;
      break;
    }
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return received.count(key) != 0; })) {
      fprintf(stderr, "[%s] watch event for %s never arrived\n", name, key.c_str());
      f.ok = false;
      break;
    }
    lat.push_back(Millis(received[key] - t));
  }
  b.StopWatch();
  f.watch_p50_ms = Percentile(lat, 0.5);
  f.watch_p99_ms = Percentile(lat, 0.99);
  return f;
}

int Main(int argc, char** argv) {
  Config cfg;
  bool with_etcd = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      cfg.quick = true;
      cfg.seq_writes = 1000;
      cfg.concurrent_writes = 20000;
      cfg.full_list_runs = 3;
      cfg.page_list_runs = 10;
      cfg.watch_samples = 200;
    } else if (a == "--no-etcd") {
      with_etcd = false;
    } else {
      fprintf(stderr, "usage: %s [--quick] [--no-etcd]\n", argv[0]);
      return 2;
    }
  }
  TempDir tmp("kubepp-storage-bench");  // removed on every return path
  if (!tmp.ok()) return 1;
  const std::string& dir = tmp.path();

  Figures kube;
  {
    storage::SqliteOptions o;
    o.path = dir + "/state.db";
    auto s = storage::OpenSqliteStore(o);
    if (!s.ok()) {
      fprintf(stderr, "open sqlite: %s\n", s.status().ToString().c_str());
      return 1;
    }
    KubeppBackend b(std::move(*s));
    kube = Run(b, cfg, "kubepp");
  }

  std::optional<Figures> etcd;
  std::string etcd_version = "not installed";
  if (with_etcd && access("/usr/bin/etcd", X_OK) == 0) {
    FILE* p = popen("/usr/bin/etcd --version 2>&1 | head -1", "r");
    char line[256] = {0};
    if (p && fgets(line, sizeof line, p)) etcd_version = line;
    if (p) pclose(p);
    etcd_version.erase(etcd_version.find_last_not_of("\r\n") + 1);
    EtcdProcess proc;
    if (proc.Start(dir)) {
      EtcdBackend b(proc.client_port(), cfg.concurrent_writers);
      etcd = Run(b, cfg, "etcd");
    } else {
      fprintf(stderr, "etcd did not start; see %s/etcd.log\n", dir.c_str());
      etcd_version += " (failed to start)";
    }
  } else if (!with_etcd) {
    etcd_version = "skipped (--no-etcd)";
  }

  printf("\nstorage benchmark%s: values of %zu bytes, fsync on every commit on both sides\n",
         cfg.quick ? " (--quick)" : "", cfg.value_bytes);
  printf("kubepp: sqlite store (WAL, synchronous=FULL, group commit), in-process calls\n");
  printf("etcd:   %s, single member on loopback, through its JSON gateway (HTTP/1.1 + JSON + base64)\n\n",
         etcd_version.c_str());
  printf("%-44s %14s %14s %12s\n", "figure", "kubepp", "etcd", "kubepp/etcd");
  auto row = [&](const char* name, double k, std::optional<double> e) {
    if (e && *e > 0) {
      printf("%-44s %14.2f %14.2f %12.2f\n", name, k, *e, k / *e);
    } else {
      printf("%-44s %14.2f %14s %12s\n", name, k, "-", "-");
    }
  };
  auto opt = [&](double Figures::*m) -> std::optional<double> {
    if (!etcd) return std::nullopt;
    return (*etcd).*m;
  };
  row("sequential writes, 1 writer (ops/s, higher+)", kube.seq_ops, opt(&Figures::seq_ops));
  row("concurrent writes, 64 writers (ops/s, higher+)", kube.conc_ops, opt(&Figures::conc_ops));
  row("list 100k keys, whole range (ms, p50, lower+)", kube.full_list_ms, opt(&Figures::full_list_ms));
  row("list 100k keys, page of 500 (ms, p50, lower+)", kube.page_list_ms, opt(&Figures::page_list_ms));
  row("watch write->event latency (ms, p50, lower+)", kube.watch_p50_ms, opt(&Figures::watch_p50_ms));
  row("watch write->event latency (ms, p99, lower+)", kube.watch_p99_ms, opt(&Figures::watch_p99_ms));
  if (!kube.ok || (etcd && !etcd->ok)) printf("\nWARNING: some operations failed (see stderr)\n");

  return kube.ok && (!etcd || etcd->ok) ? 0 : 1;
}

}  // namespace
}  // namespace kubepp::bench

int main(int argc, char** argv) { return kubepp::bench::Main(argc, argv); }
