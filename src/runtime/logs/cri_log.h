// CRI container logs: the writer a container's shim feeds with the bytes of the container's stdout and
// stderr pipes, and the reader behind `kubectl logs`.
//
// Format (kubelet's CRI logging design, as containerd and CRI-O write it), one record per file line:
//   <RFC3339Nano timestamp> <stdout|stderr> <P|F> <content>\n
// F ends a logical line; P is a chunk of a line that continues in the next record of the same stream
// (a line longer than max_line_size, or output that had no '\n' when the writer was flushed or closed).
// The writer stamps UTC with Go's RFC3339Nano (trailing zeros of the fraction trimmed, no fraction at
// all on a whole second): "2026-11-25T10:00:00.123456789Z", "2026-11-25T10:00:00.1Z",
// "2026-11-25T10:00:00Z". Only '\n' ends a line: a '\r' before it stays in the content, as containerd
// keeps it.
//
// Rotation follows the kubelet's container log manager: when the file would grow past max_size it is
// renamed to "<path>.<YYYYMMDD-HHMMSS>" (UTC, from the injected clock) and a fresh <path> is opened; at
// most max_files files (current + rotated) are kept, the oldest rotated ones are deleted. Two rotations
// within one second get "<path>.<stamp>.1", ".2", ... instead of the kubelet's silent overwrite.
//
// Ownership and threads: a LogWriter owns its file descriptor and is NOT thread-safe; it starts no
// threads and never blocks except in write(2)/rename(2), so a single-threaded shim can drive it from its
// poll loop. ReadLogs() is a free function: callers may run any number of readers concurrently with
// one writer (possibly in another process); it blocks the calling thread while following.
//
// Known blind spots: no fsync (a crash can lose the last records; a torn last record is skipped by the
// reader as malformed or, at the end of a rotated file, read as-is). Rotated files compressed by
// someone else ("*.gz", as the kubelet does) are skipped by the reader. The docker json-file format is
// not read. Tail is computed by one forward pass over all files (linear in the total log size, bounded
// by max_size * max_files). A line whose P chunks were partly deleted by rotation cleanup is returned
// from its first surviving chunk.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::runtime::logs {

using TimePoint = std::chrono::system_clock::time_point;
// Returns "now". Injected so tests control timestamps and rotation names.
using Clock = std::function<TimePoint()>;

enum class Stream { kStdout, kStderr };
// "stdout" / "stderr".
std::string_view StreamName(Stream stream);

// containerd's default max_container_log_line_size.
inline constexpr size_t kDefaultMaxLineSize = 16 * 1024;
// The kubelet's defaults for containerLogMaxSize and containerLogMaxFiles.
inline constexpr int64_t kDefaultMaxSize = 10 * 1024 * 1024;
inline constexpr int kDefaultMaxFiles = 5;

// Go's time.RFC3339Nano in UTC: fraction without trailing zeros, omitted when zero.
std::string FormatRfc3339Nano(TimePoint t);
// The kubelet's `--timestamps` output layout: always 9 fraction digits, "Z" for a zero offset,
// otherwise "+hh:mm"/"-hh:mm". `offset_seconds` is the offset to display t in.
std::string FormatTimestampOut(TimePoint t, int offset_seconds = 0);
// Parses an RFC3339 timestamp with an optional 1-9 digit fraction and a "Z" or "+hh:mm" offset.
// BadRequest naming the problem.
StatusOr<TimePoint> ParseRfc3339(std::string_view text, int* offset_seconds = nullptr);

// One parsed record (a file line without its '\n'). `content` points into the parsed line.
struct Record {
  TimePoint timestamp;
  int offset_seconds = 0;  // the zone offset the timestamp was written with
  Stream stream = Stream::kStdout;
  bool partial = false;  // tag P; tags after ':' ("F:x") are ignored, as the kubelet does
  std::string_view content;
};
// Parses one record; BadRequest naming the missing or bad field (timestamp, stream, tag).
StatusOr<Record> ParseRecord(std::string_view line);

struct WriterOptions {
  // Content bytes per record; longer lines are split into P chunks of this size. 0 = no limit.
  size_t max_line_size = kDefaultMaxLineSize;
  // Rotate before a record would make the file larger than this. <= 0 disables rotation.
  int64_t max_size = kDefaultMaxSize;
  // Current file + rotated files kept; must be >= 2 when rotation is on (the kubelet's rule).
  int max_files = kDefaultMaxFiles;
  mode_t file_mode = 0640;  // containerd creates container logs 0640
  Clock clock;              // defaults to std::chrono::system_clock::now
};

class LogWriter {
 public:
  // Opens (creating, appending to) `path`; its directory must exist. Invalid for bad options,
  // Internal (with errno text) when the file cannot be opened.
  static StatusOr<std::unique_ptr<LogWriter>> Open(std::string path, WriterOptions options = {});
  ~LogWriter();  // Close(), errors ignored
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends raw pipe bytes of `stream`. Complete lines are written at once (one write(2) per call);
  // bytes after the last '\n' wait in a per-stream buffer (at most max_line_size bytes: beyond that
  // they are written as P chunks). Internal on a write/rotation error: the bytes of that call that
  // could not be written are dropped, later calls try again. Invalid after Close().
  Status Write(Stream stream, std::string_view bytes);
  // Writes the buffered incomplete line of `stream` (or of both) as a P record; nothing if empty.
  // Call Flush(stream) when that pipe reaches EOF.
  Status Flush(Stream stream);
  Status Flush();
  // Flush() then close the file. Idempotent.
  Status Close();
  // Closes and reopens `path` (someone renamed it: external rotation). Buffered partial lines are kept.
  Status Reopen();
  // Rotates now, whatever the size.
  Status Rotate();

  const std::string& path() const { return path_; }
  // Size of the current file as this writer knows it (bytes written since open + initial size).
  int64_t current_size() const { return size_; }

 private:
  LogWriter(std::string path, WriterOptions options);
  Status OpenFile();
  void EmitLine(Stream stream, std::string_view content, bool complete);
  void Put(Stream stream, bool partial, std::string_view content);  // one record into out_
  Status Drain();                                                   // writes out_ to the file
  Status RotateLocked();
  TimePoint Now() const;

  const std::string path_;
  const WriterOptions options_;
  int fd_ = -1;
  bool closed_ = false;
  int64_t size_ = 0;
  std::string pending_[2];  // incomplete line per stream
  std::string out_;         // records assembled by the current call, not yet written
  Status error_;            // first error met while assembling the current call
};

// Rotated files of `path`, oldest first ("<path>.<YYYYMMDD-HHMMSS>[.N][.gz]"). Missing dir: empty.
std::vector<std::string> ListRotatedFiles(const std::string& path);

enum class StreamSelector { kAll, kStdout, kStderr };

struct ReadOptions {
  bool follow = false;
  int64_t tail_lines = -1;         // last N logical lines (after stream and since filters); -1 all
  std::optional<TimePoint> since;  // lines whose (first chunk's) timestamp is before this are skipped
  int64_t limit_bytes = -1;        // stop after this many output bytes (prefixes count); -1 none
  bool timestamps = false;         // prefix each line with its timestamp (kubelet layout) and ' '
  StreamSelector stream = StreamSelector::kAll;
  bool include_rotated = true;  // the kubelet reads only the current file; we read rotated ones too
  // Following: wait at most this long between checks of `cancelled` / `container_exited` (inotify
  // wakes the reader earlier on new data).
  std::chrono::milliseconds poll_interval{100};
  std::function<bool()> cancelled;         // follow stops (OK) once this returns true
  std::function<bool()> container_exited;  // follow stops (OK) once true and the files are drained
};

struct ReadStats {
  int64_t lines = 0;      // logical lines delivered (started)
  int64_t bytes = 0;      // bytes given to the sink
  int64_t malformed = 0;  // records skipped because they did not parse
  bool limit_reached = false;
};

// Receives output bytes: whole lines ("[timestamp ]content\n"), or a line's first part when the line
// is still incomplete at the end of the log (no '\n', the rest follows in later calls when following).
// Return false to stop reading.
using LogSink = std::function<bool(std::string_view bytes)>;

// Reads the container log at `path` (rotated files first when include_rotated), joining P chunks into
// lines. Returns OK when done (end of logs without follow; cancelled; container exited and drained;
// limit_bytes reached; sink returned false). NotFound when `path` does not exist, Internal on a read
// error. Malformed records never fail the read: they are counted in stats->malformed and skipped.
Status ReadLogs(const std::string& path, const ReadOptions& options, const LogSink& sink,
                ReadStats* stats = nullptr);

}  // namespace kubepp::runtime::logs
