#include "runtime/logs/cri_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <tuple>
#include <utility>

namespace kubepp::runtime::logs {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::string ErrnoText(int err) { return std::string(strerror(err)); }

int64_t ToUnixNanos(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixNanos(int64_t nanos) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(nanos)));
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil CivilFromSeconds(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  Civil c{};
  c.hour = static_cast<unsigned>(rem / 3600);
  c.minute = static_cast<unsigned>(rem % 3600 / 60);
  c.second = static_cast<unsigned>(rem % 60);
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int64_t>(yoe) + era * 400 + (c.month <= 2);
  return c;
}

void SplitNanos(TimePoint t, int64_t* secs, int64_t* nanos) {
  const int64_t n = ToUnixNanos(t);
  *secs = n >= 0 ? n / kNanosPerSecond : -((-n + kNanosPerSecond - 1) / kNanosPerSecond);
  *nanos = n - *secs * kNanosPerSecond;
}

std::string FormatDateTime(int64_t secs) {
  const Civil c = CivilFromSeconds(secs);
  char buf[64];
  snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02u:%02u:%02u", static_cast<long long>(c.year), c.month,
           c.day, c.hour, c.minute, c.second);
  return buf;
}

// kubelet container log manager's rotation suffix layout "20060102-150405", in UTC.
std::string RotationStamp(TimePoint t) {
  int64_t secs, nanos;
  SplitNanos(t, &secs, &nanos);
  const Civil c = CivilFromSeconds(secs);
  char buf[64];
  snprintf(buf, sizeof(buf), "%04lld%02u%02u-%02u%02u%02u", static_cast<long long>(c.year), c.month, c.day,
           c.hour, c.minute, c.second);
  return buf;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

unsigned ParseDigits(std::string_view s) {
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  return v;
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string_view StreamName(Stream stream) { return stream == Stream::kStdout ? "stdout" : "stderr"; }

std::string FormatRfc3339Nano(TimePoint t) {
  int64_t secs, nanos;
  SplitNanos(t, &secs, &nanos);
  std::string out = FormatDateTime(secs);
  if (nanos != 0) {
    char frac[16];
    snprintf(frac, sizeof(frac), ".%09lld", static_cast<long long>(nanos));
    std::string_view f(frac);
    while (f.back() == '0') f.remove_suffix(1);
    out.append(f);
  }
  out.push_back('Z');
  return out;
}

std::string FormatTimestampOut(TimePoint t, int offset_seconds) {
  int64_t secs, nanos;
  SplitNanos(t, &secs, &nanos);
  std::string out = FormatDateTime(secs + offset_seconds);
  char frac[16];
  snprintf(frac, sizeof(frac), ".%09lld", static_cast<long long>(nanos));
  out.append(frac);
  if (offset_seconds == 0) {
    out.push_back('Z');
  } else {
    const int abs_off = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    char zone[16];
    snprintf(zone, sizeof(zone), "%c%02d:%02d", offset_seconds < 0 ? '-' : '+', abs_off / 3600,
             abs_off % 3600 / 60);
    out.append(zone);
  }
  return out;
}

StatusOr<TimePoint> ParseRfc3339(std::string_view text, int* offset_seconds) {
  auto bad = [&](std::string_view why) {
    return Status::BadRequest("invalid RFC3339 timestamp \"" + std::string(text.substr(0, 64)) +
                              "\": " + std::string(why));
  };
  // 2006-01-02T15:04:05
  if (text.size() < 20) return bad("too short");
  std::string_view s = text;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return bad("bad layout");
  std::string_view year = s.substr(0, 4), month = s.substr(5, 2), day = s.substr(8, 2);
  std::string_view hour = s.substr(11, 2), minute = s.substr(14, 2), second = s.substr(17, 2);
  for (std::string_view f : {year, month, day, hour, minute, second}) {
    if (!AllDigits(f)) return bad("non-digit in date or time");
  }
  const unsigned y = ParseDigits(year), mo = ParseDigits(month), d = ParseDigits(day);
  const unsigned h = ParseDigits(hour), mi = ParseDigits(minute), se = ParseDigits(second);
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12) return bad("month out of range");
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const unsigned mdays = kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
  if (d < 1 || d > mdays) return bad("day out of range");
  if (h > 23 || mi > 59 || se > 59) return bad("time out of range");
  s.remove_prefix(19);
  int64_t nanos = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    if (n == 0 || n > 9) return bad("fraction must have 1 to 9 digits");
    for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < n ? s[i] - '0' : 0);
    s.remove_prefix(n);
  }
  int offset = 0;
  if (s == "Z") {
    offset = 0;
  } else if (s.size() == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' && AllDigits(s.substr(1, 2)) &&
             AllDigits(s.substr(4, 2))) {
    const unsigned oh = ParseDigits(s.substr(1, 2)), om = ParseDigits(s.substr(4, 2));
    if (oh > 23 || om > 59) return bad("zone offset out of range");
    offset = static_cast<int>(oh * 3600 + om * 60) * (s[0] == '-' ? -1 : 1);
  } else {
    return bad("missing or bad zone (want Z or +hh:mm)");
  }
  const int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  if (offset_seconds != nullptr) *offset_seconds = offset;
  return FromUnixNanos(secs * kNanosPerSecond + nanos);
}

StatusOr<Record> ParseRecord(std::string_view line) {
  Record r;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return Status::BadRequest("CRI log record: timestamp is not found");
  int offset = 0;
  auto ts = ParseRfc3339(line.substr(0, sp), &offset);
  if (!ts.ok()) return ts.status().WithPrefix("CRI log record");
  r.timestamp = *ts;
  r.offset_seconds = offset;
  line.remove_prefix(sp + 1);
  sp = line.find(' ');
  if (sp == std::string_view::npos) return Status::BadRequest("CRI log record: stream type is not found");
  const std::string_view stream = line.substr(0, sp);
  if (stream == "stdout") {
    r.stream = Stream::kStdout;
  } else if (stream == "stderr") {
    r.stream = Stream::kStderr;
  } else {
    return Status::BadRequest("CRI log record: unexpected stream type \"" +
                              std::string(stream.substr(0, 32)) + "\"");
  }
  line.remove_prefix(sp + 1);
  sp = line.find(' ');
  if (sp == std::string_view::npos) return Status::BadRequest("CRI log record: log tag is not found");
  std::string_view tag = line.substr(0, sp);
  // Tags are ':'-separated for forward compatibility; the first one is P or F.
  tag = tag.substr(0, tag.find(':'));
  if (tag == "P") {
    r.partial = true;
  } else if (tag == "F") {
    r.partial = false;
  } else {
    return Status::BadRequest("CRI log record: unexpected log tag \"" + std::string(tag.substr(0, 32)) +
                              "\"");
  }
  r.content = line.substr(sp + 1);
  return r;
}

// ---------------------------------------------------------------------------------------------------
// Rotated file names

namespace {

struct RotatedName {
  std::string stamp;
  unsigned seq = 0;
  bool gz = false;
  std::string path;
};

bool ParseRotatedSuffix(std::string_view rest, RotatedName* out) {
  // YYYYMMDD-HHMMSS[.N][.gz]
  if (rest.size() < 15 || rest[8] != '-' || !AllDigits(rest.substr(0, 8)) || !AllDigits(rest.substr(9, 6))) {
    return false;
  }
  out->stamp = std::string(rest.substr(0, 15));
  rest.remove_prefix(15);
  if (rest.size() >= 3 && rest.substr(rest.size() - 3) == ".gz") {
    out->gz = true;
    rest.remove_suffix(3);
  }
  if (rest.empty()) return true;
  if (rest.front() != '.' || rest.size() > 10 || !AllDigits(rest.substr(1))) return false;
  out->seq = ParseDigits(rest.substr(1));
  return true;
}

std::vector<RotatedName> ListRotated(const std::string& path) {
  std::vector<RotatedName> out;
  const std::string dir = DirName(path), base = BaseName(path) + ".";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() <= base.size() || name.substr(0, base.size()) != base) continue;
    RotatedName r;
    if (!ParseRotatedSuffix(name.substr(base.size()), &r)) continue;
    r.path = dir + "/" + std::string(name);
    out.push_back(std::move(r));
  }
  closedir(d);
  std::sort(out.begin(), out.end(), [](const RotatedName& a, const RotatedName& b) {
    return std::tie(a.stamp, a.seq, a.gz) < std::tie(b.stamp, b.seq, b.gz);
  });
  return out;
}

}  // namespace

std::vector<std::string> ListRotatedFiles(const std::string& path) {
  std::vector<std::string> out;
  for (auto& r : ListRotated(path)) out.push_back(std::move(r.path));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// LogWriter

LogWriter::LogWriter(std::string path, WriterOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

LogWriter::~LogWriter() { (void)Close(); }

StatusOr<std::unique_ptr<LogWriter>> LogWriter::Open(std::string path, WriterOptions options) {
  if (path.empty()) return Status::Invalid("log path: must not be empty");
  if (options.max_size > 0 && options.max_files < 2) {
    return Status::Invalid("max_files: must be >= 2 when rotation is enabled, got " +
                           std::to_string(options.max_files));
  }
  std::unique_ptr<LogWriter> w(new LogWriter(std::move(path), std::move(options)));
  RETURN_IF_ERROR(w->OpenFile());
  return w;
}

TimePoint LogWriter::Now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

Status LogWriter::OpenFile() {
  if (fd_ >= 0) return Status::Ok();
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, options_.file_mode);
  if (fd < 0) return Status::Internal("open log file " + path_ + ": " + ErrnoText(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::Internal("stat log file " + path_ + ": " + ErrnoText(err));
  }
  fd_ = fd;
  size_ = st.st_size;
  return Status::Ok();
}

void LogWriter::Put(Stream stream, bool partial, std::string_view content) {
  const TimePoint now = Now();
  std::string rec = FormatRfc3339Nano(now);
  rec.push_back(' ');
  rec.append(StreamName(stream));
  rec.append(partial ? " P " : " F ");
  rec.append(content);
  rec.push_back('\n');
  const int64_t pending = size_ + static_cast<int64_t>(out_.size());
  if (options_.max_size > 0 && pending > 0 &&
      pending + static_cast<int64_t>(rec.size()) > options_.max_size) {
    Status s = Drain();
    if (s.ok()) s = RotateLocked();
    if (!s.ok() && error_.ok()) error_ = s;
  }
  out_.append(rec);
}

void LogWriter::EmitLine(Stream stream, std::string_view content, bool complete) {
  const size_t max = options_.max_line_size;
  while (max > 0 && content.size() > max) {
    Put(stream, /*partial=*/true, content.substr(0, max));
    content.remove_prefix(max);
  }
  Put(stream, !complete, content);
}

Status LogWriter::Drain() {
  if (out_.empty()) return Status::Ok();
  if (fd_ < 0) {
    Status s = OpenFile();
    if (!s.ok()) {
      out_.clear();
      return s;
    }
  }
  std::string_view rest = out_;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out_.clear();
      return Status::Internal("write log file " + path_ + ": " + ErrnoText(err));
    }
    size_ += n;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  out_.clear();
  return Status::Ok();
}

Status LogWriter::Write(Stream stream, std::string_view bytes) {
  if (closed_) return Status::Invalid("log writer for " + path_ + " is closed");
  std::string& pend = pending_[stream == Stream::kStdout ? 0 : 1];
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      pend.append(bytes);
      const size_t max = options_.max_line_size;
      if (max > 0 && pend.size() > max) {
        size_t off = 0;
        while (pend.size() - off > max) {
          Put(stream, /*partial=*/true, std::string_view(pend).substr(off, max));
          off += max;
        }
        pend.erase(0, off);
      }
      break;
    }
    if (pend.empty()) {
      EmitLine(stream, bytes.substr(0, nl), /*complete=*/true);
    } else {
      pend.append(bytes.substr(0, nl));
      EmitLine(stream, pend, /*complete=*/true);
      pend.clear();
    }
    bytes.remove_prefix(nl + 1);
  }
  Status s = Drain();
  Status first = std::exchange(error_, Status::Ok());
  return first.ok() ? s : first;
}

Status LogWriter::Flush(Stream stream) {
  if (closed_) return Status::Ok();
  std::string& pend = pending_[stream == Stream::kStdout ? 0 : 1];
  if (!pend.empty()) {
    Put(stream, /*partial=*/true, pend);
    pend.clear();
  }
  Status s = Drain();
  Status first = std::exchange(error_, Status::Ok());
  return first.ok() ? s : first;
}

Status LogWriter::Flush() {
  Status a = Flush(Stream::kStdout);
  Status b = Flush(Stream::kStderr);
  return a.ok() ? b : a;
}

Status LogWriter::Close() {
  if (closed_) return Status::Ok();
  Status s = Flush();
  closed_ = true;
  if (fd_ >= 0) {
    if (::close(fd_) != 0 && s.ok())
      s = Status::Internal("close log file " + path_ + ": " + ErrnoText(errno));
    fd_ = -1;
  }
  return s;
}

Status LogWriter::Reopen() {
  if (closed_) return Status::Invalid("log writer for " + path_ + " is closed");
  RETURN_IF_ERROR(Drain());
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return OpenFile();
}

Status LogWriter::Rotate() {
  if (closed_) return Status::Invalid("log writer for " + path_ + " is closed");
  RETURN_IF_ERROR(Drain());
  return RotateLocked();
}

Status LogWriter::RotateLocked() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  const std::string base = path_ + "." + RotationStamp(Now());
  std::string target = base;
  struct stat st;
  for (unsigned i = 1; ::lstat(target.c_str(), &st) == 0; ++i) target = base + "." + std::to_string(i);
  Status result;
  if (::rename(path_.c_str(), target.c_str()) != 0 && errno != ENOENT) {
    result = Status::Internal("rotate log file " + path_ + " to " + target + ": " + ErrnoText(errno));
  }
  Status open = OpenFile();
  if (result.ok()) result = open;
  // Keep at most max_files - 1 rotated files beside the current one, deleting the oldest first.
  std::vector<RotatedName> rotated = ListRotated(path_);
  const size_t keep = static_cast<size_t>(std::max(options_.max_files - 1, 0));
  for (size_t i = 0; i + keep < rotated.size(); ++i) {
    if (::unlink(rotated[i].path.c_str()) != 0 && errno != ENOENT && result.ok()) {
      result = Status::Internal("remove rotated log " + rotated[i].path + ": " + ErrnoText(errno));
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Reader

namespace {

class LogReader {
 public:
  LogReader(const std::string& path, const ReadOptions& options, const LogSink& sink)
      : path_(path), o_(options), sink_(sink) {}
  ~LogReader() {
    if (cur_.fd >= 0) ::close(cur_.fd);
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
  }

  Status Run();
  const ReadStats& stats() const { return stats_; }

 private:
  struct File {
    int fd = -1;
    dev_t dev = 0;
    ino_t ino = 0;
    std::string name;
    std::string leftover;  // bytes after the last '\n' read so far
  };
  struct Pending {
    bool active = false;
    bool skip = false;     // filtered out by since (or tail): swallow the rest of the line
    bool emitted = false;  // part of the line has already gone to the sink
    uint64_t seq = 0;
    TimePoint ts;
    int offset = 0;
    std::string content;
  };
  struct Buffered {  // a line held back for tail
    uint64_t seq;
    std::string text;
  };

  static Status OpenFile(const std::string& name, File* f);
  Status ReadAvailable(File& f, bool final);
  void OnRecord(std::string_view line);
  bool Selected(Stream s) const {
    return o_.stream == StreamSelector::kAll ||
           (o_.stream == StreamSelector::kStdout) == (s == Stream::kStdout);
  }
  std::string Prefix(const Pending& p) const {
    return o_.timestamps ? FormatTimestampOut(p.ts, p.offset) + " " : std::string();
  }
  void Deliver(uint64_t seq, std::string text, bool starts_line);
  void Emit(std::string_view bytes);
  void EndInitialPhase();
  void FlushPartials();
  void Wait();
  Status FollowLoop();

  const std::string& path_;
  const ReadOptions& o_;
  const LogSink& sink_;
  ReadStats stats_;
  File cur_;
  Pending pending_[2];
  uint64_t next_seq_ = 0;
  bool collecting_ = false;  // tail: hold lines in ring_ until the initial read is done
  std::deque<Buffered> ring_;
  bool stop_ = false;
  int inotify_fd_ = -1;
};

Status LogReader::OpenFile(const std::string& name, File* f) {
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("log file " + name + " not found");
    return Status::Internal("open log file " + name + ": " + ErrnoText(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::Internal("stat log file " + name + ": " + ErrnoText(err));
  }
  f->fd = fd;
  f->dev = st.st_dev;
  f->ino = st.st_ino;
  f->name = name;
  f->leftover.clear();
  return Status::Ok();
}

Status LogReader::ReadAvailable(File& f, bool final) {
  char buf[64 * 1024];
  while (!stop_) {
    const ssize_t n = ::read(f.fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Internal("read log file " + f.name + ": " + ErrnoText(errno));
    }
    if (n == 0) break;
    std::string_view data(buf, static_cast<size_t>(n));
    while (!data.empty() && !stop_) {
      const size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        f.leftover.append(data);
        // A record cannot sensibly be this long; treat it as garbage rather than grow without bound.
        if (f.leftover.size() > 64 * 1024 * 1024) {
          ++stats_.malformed;
          f.leftover.clear();
        }
        break;
      }
      if (f.leftover.empty()) {
        OnRecord(data.substr(0, nl));
      } else {
        f.leftover.append(data.substr(0, nl));
        OnRecord(f.leftover);
        f.leftover.clear();
      }
      data.remove_prefix(nl + 1);
    }
  }
  if (final && !f.leftover.empty() && !stop_) {
    // The file will not grow any more: an unterminated last record is read as it is (as the kubelet
    // does with an incomplete line when not following).
    OnRecord(f.leftover);
    f.leftover.clear();
  }
  return Status::Ok();
}

void LogReader::OnRecord(std::string_view line) {
  auto rec = ParseRecord(line);
  if (!rec.ok()) {
    ++stats_.malformed;
    return;
  }
  if (!Selected(rec->stream)) return;
  Pending& p = pending_[rec->stream == Stream::kStdout ? 0 : 1];
  if (!p.active) {
    p.active = true;
    p.emitted = false;
    p.seq = next_seq_++;
    p.ts = rec->timestamp;
    p.offset = rec->offset_seconds;
    p.skip = o_.since.has_value() && rec->timestamp < *o_.since;
    p.content.clear();
  }
  if (!p.skip) p.content.append(rec->content);
  if (rec->partial) return;
  p.active = false;
  if (p.skip) return;
  std::string text = p.emitted ? std::string() : Prefix(p);
  text.append(p.content);
  text.push_back('\n');
  p.content.clear();
  Deliver(p.seq, std::move(text), !p.emitted);
  // Not emitted flags matter only while active; reset for clarity.
  p.emitted = false;
}

void LogReader::Deliver(uint64_t seq, std::string text, bool starts_line) {
  if (collecting_) {
    if (o_.tail_lines == 0) return;
    ring_.push_back({seq, std::move(text)});
    if (static_cast<int64_t>(ring_.size()) > o_.tail_lines) ring_.pop_front();
    return;
  }
  if (starts_line) ++stats_.lines;
  Emit(text);
}

void LogReader::Emit(std::string_view bytes) {
  if (stop_) return;
  if (o_.limit_bytes >= 0) {
    const int64_t remain = o_.limit_bytes - stats_.bytes;
    if (remain <= 0) {
      stop_ = true;
      stats_.limit_reached = true;
      return;
    }
    if (static_cast<int64_t>(bytes.size()) > remain) bytes = bytes.substr(0, static_cast<size_t>(remain));
  }
  if (bytes.empty()) return;
  stats_.bytes += static_cast<int64_t>(bytes.size());
  if (!sink_(bytes)) stop_ = true;
  if (o_.limit_bytes >= 0 && stats_.bytes >= o_.limit_bytes) {
    stop_ = true;
    stats_.limit_reached = true;
  }
}

// Ends the snapshot read: lines still in progress become the last lines (their first part, no '\n'),
// then the tail window is written out.
void LogReader::EndInitialPhase() {
  std::vector<Pending*> partials;
  for (Pending& p : pending_) {
    if (p.active && !p.skip) partials.push_back(&p);
  }
  std::sort(partials.begin(), partials.end(), [](Pending* a, Pending* b) { return a->seq < b->seq; });
  if (!collecting_) {
    FlushPartials();
    return;
  }
  for (Pending* p : partials) {
    ring_.push_back({p->seq, Prefix(*p) + p->content});
    p->content.clear();
    p->emitted = true;
    if (static_cast<int64_t>(ring_.size()) > o_.tail_lines) ring_.pop_front();
  }
  if (o_.tail_lines == 0) ring_.clear();
  // A partial line that fell out of the tail window must not reappear later without its start.
  for (Pending* p : partials) {
    bool kept = false;
    for (const Buffered& b : ring_) kept = kept || b.seq == p->seq;
    if (!kept) p->skip = true;
  }
  collecting_ = false;
  for (const Buffered& b : ring_) {
    ++stats_.lines;
    Emit(b.text);
  }
  ring_.clear();
}

// Writes the part of every unfinished line seen so far, so a follower sees output without '\n' promptly.
void LogReader::FlushPartials() {
  std::vector<Pending*> partials;
  for (Pending& p : pending_) {
    if (p.active && !p.skip && (!p.content.empty() || !p.emitted)) partials.push_back(&p);
  }
  std::sort(partials.begin(), partials.end(), [](Pending* a, Pending* b) { return a->seq < b->seq; });
  for (Pending* p : partials) {
    std::string text = p->emitted ? std::string() : Prefix(*p);
    if (!p->emitted) ++stats_.lines;
    text.append(p->content);
    p->content.clear();
    p->emitted = true;
    Emit(text);
  }
}

void LogReader::Wait() {
  const int ms = static_cast<int>(std::max<int64_t>(1, o_.poll_interval.count()));
  if (inotify_fd_ < 0) {
    ::poll(nullptr, 0, ms);
    return;
  }
  struct pollfd pfd = {inotify_fd_, POLLIN, 0};
  if (::poll(&pfd, 1, ms) > 0) {
    char buf[4096];
    while (::read(inotify_fd_, buf, sizeof(buf)) > 0) {
    }
  }
}

Status LogReader::FollowLoop() {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ >= 0 && inotify_add_watch(inotify_fd_, DirName(path_).c_str(),
                                            IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |
                                                IN_CLOSE_WRITE) < 0) {
    ::close(inotify_fd_);
    inotify_fd_ = -1;
  }
  while (!stop_) {
    if (o_.cancelled && o_.cancelled()) return Status::Ok();
    // Asked before reading, so everything written before the container exited is read below.
    const bool exited = o_.container_exited && o_.container_exited();
    RETURN_IF_ERROR(ReadAvailable(cur_, false));
    if (stop_) break;
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0 && (st.st_ino != cur_.ino || st.st_dev != cur_.dev)) {
      // Rotated: finish the old file, then the files rotated after it, then the new current file.
      // The new current file is opened before listing, so a rotation racing with us shows up in the list
      // (ending the range) instead of being skipped.
      RETURN_IF_ERROR(ReadAvailable(cur_, true));
      File next;
      Status opened = OpenFile(path_, &next);
      if (!opened.ok()) {
        if (opened.code() != StatusCode::kNotFound) return opened;
        continue;  // renamed but not recreated yet: the old file is drained, look again
      }
      std::vector<RotatedName> rotated = ListRotated(path_);
      size_t start = rotated.size(), end = rotated.size();
      for (size_t i = 0; i < rotated.size(); ++i) {
        struct stat rs;
        if (::stat(rotated[i].path.c_str(), &rs) != 0) continue;
        if (rs.st_ino == cur_.ino && rs.st_dev == cur_.dev) start = i + 1;
        if (rs.st_ino == next.ino && rs.st_dev == next.dev && end == rotated.size()) end = i;
      }
      ::close(cur_.fd);
      cur_ = std::move(next);
      for (size_t i = start; i < end && !stop_; ++i) {
        if (rotated[i].gz) continue;
        File f;
        if (!OpenFile(rotated[i].path, &f).ok()) continue;
        Status s = ReadAvailable(f, true);
        ::close(f.fd);
        RETURN_IF_ERROR(s);
      }
      continue;
    }
    if (exited) break;
    FlushPartials();
    Wait();
  }
  if (!stop_) FlushPartials();
  return Status::Ok();
}

Status LogReader::Run() {
  RETURN_IF_ERROR(OpenFile(path_, &cur_));
  collecting_ = o_.tail_lines >= 0;
  if (o_.include_rotated) {
    std::vector<RotatedName> rotated = ListRotated(path_);
    // If the file we opened was rotated meanwhile, only the files older than it come first.
    size_t end = rotated.size();
    for (size_t i = 0; i < rotated.size(); ++i) {
      struct stat rs;
      if (::stat(rotated[i].path.c_str(), &rs) == 0 && rs.st_ino == cur_.ino && rs.st_dev == cur_.dev) {
        end = i;
        break;
      }
    }
    for (size_t i = 0; i < end && !stop_; ++i) {
      if (rotated[i].gz) continue;
      File f;
      if (!OpenFile(rotated[i].path, &f).ok()) continue;  // deleted by rotation meanwhile
      Status s = ReadAvailable(f, true);
      ::close(f.fd);
      RETURN_IF_ERROR(s);
    }
  }
  RETURN_IF_ERROR(ReadAvailable(cur_, !o_.follow));
  EndInitialPhase();
  if (!o_.follow || stop_) return Status::Ok();
  return FollowLoop();
}

}  // namespace

Status ReadLogs(const std::string& path, const ReadOptions& options, const LogSink& sink, ReadStats* stats) {
  LogReader reader(path, options, sink);
  Status s = reader.Run();
  if (stats != nullptr) *stats = reader.stats();
  return s;
}

}  // namespace kubepp::runtime::logs
