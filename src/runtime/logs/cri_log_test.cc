#include "runtime/logs/cri_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/testing/temp_dir.h"

namespace kubepp::runtime::logs {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2026-11-25T10:00:00Z
constexpr int64_t kBaseSeconds = 1795600800;

TimePoint At(int64_t secs, int64_t nanos = 0) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(seconds(secs) + nanoseconds(nanos)));
}

// A clock the test moves by hand; readable from another thread.
struct FakeClock {
  std::atomic<int64_t> nanos{kBaseSeconds * 1'000'000'000LL};
  Clock AsClock() {
    return [this] {
      return TimePoint(std::chrono::duration_cast<TimePoint::duration>(nanoseconds(nanos.load())));
    };
  }
  void Advance(nanoseconds d) { nanos += d.count(); }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Reads everything (no follow) into a string.
std::string ReadAll(const std::string& path, ReadOptions options = {}, ReadStats* stats = nullptr) {
  std::string out;
  Status s = ReadLogs(
      path, options,
      [&](std::string_view b) {
        out.append(b);
        return true;
      },
      stats);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

class CriLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    path_ = dir_.path() + "/0.log";
  }
  std::unique_ptr<LogWriter> NewWriter(WriterOptions o = {}) {
    o.clock = clock_.AsClock();
    auto w = LogWriter::Open(path_, o);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }

  TempDir dir_{"cri-log-test"};
  std::string path_;
  FakeClock clock_;
};

TEST(TimestampTest, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(FormatRfc3339Nano(At(kBaseSeconds, 123456789)), "2026-11-25T10:00:00.123456789Z");
  EXPECT_EQ(FormatRfc3339Nano(At(kBaseSeconds, 120000000)), "2026-11-25T10:00:00.12Z");
  EXPECT_EQ(FormatRfc3339Nano(At(kBaseSeconds, 1)), "2026-11-25T10:00:00.000000001Z");
  EXPECT_EQ(FormatRfc3339Nano(At(kBaseSeconds)), "2026-11-25T10:00:00Z");
  EXPECT_EQ(FormatRfc3339Nano(At(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Nano(At(951782400)), "2000-02-29T00:00:00Z");
  // The kubelet's --timestamps layout keeps 9 digits.
  EXPECT_EQ(FormatTimestampOut(At(kBaseSeconds, 120000000)), "2026-11-25T10:00:00.120000000Z");
  EXPECT_EQ(FormatTimestampOut(At(kBaseSeconds), 3600 + 1800), "2026-11-25T11:30:00.000000000+01:30");
  EXPECT_EQ(FormatTimestampOut(At(kBaseSeconds, 5), -3600), "2026-11-25T09:00:00.000000005-01:00");
}

TEST(TimestampTest, ParsesRfc3339WithFractionsAndOffsets) {
  int off = -1;
  auto t = ParseRfc3339("2026-11-25T10:00:00.123456789Z", &off);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, At(kBaseSeconds, 123456789));
  EXPECT_EQ(off, 0);
  t = ParseRfc3339("2026-11-25T11:00:00.5+01:00", &off);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, At(kBaseSeconds, 500000000));
  EXPECT_EQ(off, 3600);
  t = ParseRfc3339("2026-11-25T09:00:00-01:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, At(kBaseSeconds));
  for (const char* bad :
       {"", "2026-11-25", "2026-13-25T10:00:00Z", "2026-02-29T10:00:00Z", "2026-11-25T24:00:00Z",
        "2026-11-25T10:00:00", "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00.1234567890Z",
        "2026-11-25 10:00:00Z", "2026-11-25T10:00:00+0100", "x026-11-25T10:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(RecordTest, ParsesAndRejects) {
  auto r = ParseRecord("2026-11-25T10:00:00.1Z stderr P:extra hello world ");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stream, Stream::kStderr);
  EXPECT_TRUE(r->partial);
  EXPECT_EQ(r->content, "hello world ");
  r = ParseRecord("2026-11-25T10:00:00Z stdout F ");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content, "");
  EXPECT_THAT(ParseRecord("garbage").status().message(), HasSubstr("timestamp is not found"));
  EXPECT_THAT(ParseRecord("2026-11-25T10:00:00Z stdin F x").status().message(), HasSubstr("stream type"));
  EXPECT_THAT(ParseRecord("2026-11-25T10:00:00Z stdout X x").status().message(), HasSubstr("log tag"));
  EXPECT_THAT(ParseRecord("2026-11-25T10:00:00Z stdout F").status().message(),
              HasSubstr("log tag is not found"));
}

TEST_F(CriLogTest, WritesFullAndPartialRecordsAndReadsThemBack) {
  auto w = NewWriter();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "hello\nwor").ok());
  clock_.Advance(nanoseconds(120000000));
  ASSERT_TRUE(w->Write(Stream::kStdout, "ld\n\n").ok());
  ASSERT_TRUE(w->Write(Stream::kStdout, "no newline").ok());
  ASSERT_TRUE(w->Write(Stream::kStdout, "\r\n").ok());
  ASSERT_TRUE(w->Write(Stream::kStderr, "tail").ok());
  EXPECT_EQ(ReadFile(path_),
            "2026-11-25T10:00:00Z stdout F hello\n"
            "2026-11-25T10:00:00.12Z stdout F world\n"
            "2026-11-25T10:00:00.12Z stdout F \n"
            "2026-11-25T10:00:00.12Z stdout F no newline\r\n");
  ASSERT_TRUE(w->Close().ok());
  EXPECT_THAT(ReadFile(path_), HasSubstr("2026-11-25T10:00:00.12Z stderr P tail\n"));
  EXPECT_FALSE(w->Write(Stream::kStdout, "x\n").ok());
  EXPECT_EQ(ReadAll(path_), "hello\nworld\n\nno newline\r\ntail");
}

TEST_F(CriLogTest, FlushWritesPartialAndReaderJoinsChunks) {
  auto w = NewWriter();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "progress: 1").ok());
  ASSERT_TRUE(w->Flush(Stream::kStdout).ok());
  ASSERT_TRUE(w->Flush(Stream::kStdout).ok());  // nothing buffered: no record
  ASSERT_TRUE(w->Write(Stream::kStdout, "0%\n").ok());
  EXPECT_EQ(ReadFile(path_),
            "2026-11-25T10:00:00Z stdout P progress: 1\n"
            "2026-11-25T10:00:00Z stdout F 0%\n");
  ReadOptions o;
  o.timestamps = true;
  EXPECT_EQ(ReadAll(path_, o), "2026-11-25T10:00:00.000000000Z progress: 10%\n");
}

TEST_F(CriLogTest, SplitsLongLinesAtMaxLineSize) {
  WriterOptions o;
  o.max_line_size = 4;
  auto w = NewWriter(o);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "abcdefghij\n12345678\n1234\n").ok());
  // Pending output without '\n' is cut as soon as it exceeds the limit; exactly max_line_size waits.
  ASSERT_TRUE(w->Write(Stream::kStderr, "xxxxyy").ok());
  ASSERT_TRUE(w->Write(Stream::kStderr, "yy").ok());
  std::vector<std::string> lines = SplitLines(ReadFile(path_));
  EXPECT_THAT(lines, ElementsAre("2026-11-25T10:00:00Z stdout P abcd", "2026-11-25T10:00:00Z stdout P efgh",
                                 "2026-11-25T10:00:00Z stdout F ij", "2026-11-25T10:00:00Z stdout P 1234",
                                 "2026-11-25T10:00:00Z stdout F 5678", "2026-11-25T10:00:00Z stdout F 1234",
                                 "2026-11-25T10:00:00Z stderr P xxxx"));
  ASSERT_TRUE(w->Write(Stream::kStderr, "\n").ok());
  EXPECT_THAT(SplitLines(ReadFile(path_)).back(), "2026-11-25T10:00:00Z stderr F yyyy");
  EXPECT_EQ(ReadAll(path_), "abcdefghij\n12345678\n1234\nxxxxyyyy\n");
}

TEST_F(CriLogTest, InterleavedStreamsAreJoinedPerStreamAndSelectable) {
  WriterOptions wo;
  wo.max_line_size = 3;
  auto w = NewWriter(wo);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "out-1").ok());  // P "out", "-1" pending
  ASSERT_TRUE(w->Write(Stream::kStderr, "err-1\n").ok());
  ASSERT_TRUE(w->Write(Stream::kStdout, "\nout-2\n").ok());
  ASSERT_TRUE(w->Write(Stream::kStderr, "e2\n").ok());
  EXPECT_EQ(ReadAll(path_), "err-1\nout-1\nout-2\ne2\n");
  ReadOptions o;
  o.stream = StreamSelector::kStdout;
  EXPECT_EQ(ReadAll(path_, o), "out-1\nout-2\n");
  o.stream = StreamSelector::kStderr;
  EXPECT_EQ(ReadAll(path_, o), "err-1\ne2\n");
}

TEST_F(CriLogTest, TailSinceLimitBytesAndTimestamps) {
  auto w = NewWriter();
  ASSERT_TRUE(w);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(w->Write(i % 2 ? Stream::kStderr : Stream::kStdout, "line " + std::to_string(i) + "\n").ok());
    clock_.Advance(seconds(1));
  }
  ReadOptions o;
  o.tail_lines = 3;
  EXPECT_EQ(ReadAll(path_, o), "line 7\nline 8\nline 9\n");
  o.tail_lines = 0;
  EXPECT_EQ(ReadAll(path_, o), "");
  o.tail_lines = 100;
  EXPECT_EQ(SplitLines(ReadAll(path_, o)).size(), 10u);
  o.tail_lines = 2;
  o.stream = StreamSelector::kStdout;
  EXPECT_EQ(ReadAll(path_, o), "line 6\nline 8\n");

  ReadOptions since;
  since.since = At(kBaseSeconds + 8);
  EXPECT_EQ(ReadAll(path_, since), "line 8\nline 9\n");
  since.since = At(kBaseSeconds + 7, 1);
  EXPECT_EQ(ReadAll(path_, since), "line 8\nline 9\n");
  since.tail_lines = 1;
  EXPECT_EQ(ReadAll(path_, since), "line 9\n");

  ReadOptions ts;
  ts.timestamps = true;
  ts.tail_lines = 1;
  EXPECT_EQ(ReadAll(path_, ts), "2026-11-25T10:00:09.000000000Z line 9\n");

  ReadOptions limit;
  limit.limit_bytes = 10;
  ReadStats stats;
  EXPECT_EQ(ReadAll(path_, limit, &stats), "line 0\nlin");
  EXPECT_TRUE(stats.limit_reached);
  EXPECT_EQ(stats.bytes, 10);
  limit.timestamps = true;
  limit.limit_bytes = 32;  // prefixes count against the limit
  EXPECT_EQ(ReadAll(path_, limit), "2026-11-25T10:00:00.000000000Z l");
  limit.limit_bytes = 14;
  limit.timestamps = false;
  EXPECT_EQ(ReadAll(path_, limit), "line 0\nline 1\n");  // exact fit
}

TEST_F(CriLogTest, SinkReturningFalseStops) {
  auto w = NewWriter();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "a\nb\nc\n").ok());
  std::vector<std::string> got;
  ASSERT_TRUE(ReadLogs(path_, {}, [&](std::string_view b) {
                got.emplace_back(b);
                return got.size() < 2;
              }).ok());
  EXPECT_THAT(got, ElementsAre("a\n", "b\n"));
}

TEST_F(CriLogTest, MissingFileIsNotFound) {
  Status s = ReadLogs(dir_.path() + "/nope.log", {}, [](std::string_view) { return true; });
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  WriterOptions o;
  o.max_files = 1;
  EXPECT_EQ(LogWriter::Open(path_, o).status().code(), StatusCode::kInvalid);
  EXPECT_EQ(LogWriter::Open(dir_.path() + "/no/such/dir/0.log").status().code(), StatusCode::kInternal);
}

TEST_F(CriLogTest, MalformedRecordsAreSkippedAndCounted) {
  using namespace std::string_literals;
  WriteFile(path_,
            "2026-11-25T10:00:00Z stdout F good 1\n"
            "\n"
            "garbage without spaces\n"
            "2026-11-25T10:00:00Z stdin F bad stream\n"
            "2026-13-25T10:00:00Z stdout F bad month\n"
            "2026-11-25T10:00:00Z stdout Q bad tag\n"
            "2026-11-25T10:00:00Z stdout F\n"
            "{\"log\":\"docker json\\n\",\"stream\":\"stdout\"}\n"
            "\xff\xfe\x00\x01 binary\n"
            "2026-11-25T10:00:00Z stderr F good 2\n"
            "2026-11-25T10:00:00Z stdout F torn last reco"s);
  ReadStats stats;
  EXPECT_EQ(ReadAll(path_, {}, &stats), "good 1\ngood 2\ntorn last reco\n");
  EXPECT_EQ(stats.malformed, 8);
  EXPECT_EQ(stats.lines, 3);
}

TEST_F(CriLogTest, RotatesBySizeKeepingMaxFiles) {
  WriterOptions o;
  o.max_size = 100;  // each record is 37 bytes: two per file
  o.max_files = 3;
  auto w = NewWriter(o);
  ASSERT_TRUE(w);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(w->Write(Stream::kStdout, "line " + std::to_string(i) + "\n").ok());
    clock_.Advance(seconds(1));
  }
  EXPECT_LE(w->current_size(), 100);
  std::vector<std::string> rotated = ListRotatedFiles(path_);
  ASSERT_EQ(rotated.size(), 2u);  // + current = max_files
  // Named "<path>.<YYYYMMDD-HHMMSS>" with the time of rotation.
  EXPECT_EQ(rotated[0], path_ + ".20261125-100006");
  EXPECT_EQ(rotated[1], path_ + ".20261125-100008");
  EXPECT_EQ(ReadAll(path_), "line 4\nline 5\nline 6\nline 7\nline 8\nline 9\n");
  ReadOptions only_current;
  only_current.include_rotated = false;
  EXPECT_EQ(ReadAll(path_, only_current), "line 8\nline 9\n");
  ReadOptions tail;
  tail.tail_lines = 3;
  EXPECT_EQ(ReadAll(path_, tail), "line 7\nline 8\nline 9\n");
}

TEST_F(CriLogTest, RotationsInOneSecondDoNotOverwrite) {
  WriterOptions o;
  o.max_size = 40;
  o.max_files = 20;
  o.max_line_size = 4;
  auto w = NewWriter(o);
  ASSERT_TRUE(w);
  // One long line split over 12 files, all within the same second.
  std::string line;
  for (int i = 0; i < 12; ++i) line += "abc" + std::to_string(i % 10);
  ASSERT_TRUE(w->Write(Stream::kStdout, line + "\n").ok());
  std::vector<std::string> rotated = ListRotatedFiles(path_);
  ASSERT_EQ(rotated.size(), 11u);
  EXPECT_EQ(rotated[0], path_ + ".20261125-100000");
  EXPECT_EQ(rotated[1], path_ + ".20261125-100000.1");
  EXPECT_EQ(rotated[10], path_ + ".20261125-100000.10");  // numeric, not lexical, order
  EXPECT_EQ(ReadAll(path_), line + "\n");
}

TEST_F(CriLogTest, ReopenAfterExternalRename) {
  auto w = NewWriter();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "before\npart").ok());
  std::filesystem::rename(path_, path_ + ".20261125-095959");
  ASSERT_TRUE(w->Reopen().ok());
  ASSERT_TRUE(w->Write(Stream::kStdout, "ial\nafter\n").ok());
  EXPECT_EQ(ReadFile(path_),
            "2026-11-25T10:00:00Z stdout F partial\n"
            "2026-11-25T10:00:00Z stdout F after\n");
  EXPECT_EQ(ReadAll(path_), "before\npartial\nafter\n");
}

// Collects the sink's output for a reader running in another thread.
struct Collector {
  std::mutex mu;
  std::string out;
  LogSink Sink() {
    return [this](std::string_view b) {
      std::lock_guard<std::mutex> l(mu);
      out.append(b);
      return true;
    };
  }
  std::string Get() {
    std::lock_guard<std::mutex> l(mu);
    return out;
  }
  bool WaitFor(const std::string& want, std::chrono::seconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Get() == want) return true;
      std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return Get() == want;
  }
};

TEST_F(CriLogTest, FollowSurvivesRotationAndStopsWhenContainerExits) {
  WriterOptions o;
  o.max_size = 200;
  o.max_files = 1000;
  auto w = NewWriter(o);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "first\n").ok());

  std::atomic<bool> exited{false};
  Collector got;
  ReadOptions ro;
  ro.follow = true;
  ro.poll_interval = std::chrono::milliseconds(5);
  ro.container_exited = [&] { return exited.load(); };
  Status status;
  ReadStats stats;
  std::thread reader([&] { status = ReadLogs(path_, ro, got.Sink(), &stats); });
  ASSERT_TRUE(got.WaitFor("first\n"));

  std::string want = "first\n";
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      std::string line = "line " + std::to_string(i) + "\n";
      if (!w->Write(i % 3 == 0 ? Stream::kStderr : Stream::kStdout, line).ok()) return;
      want += line;
      clock_.Advance(std::chrono::milliseconds(7));
      if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));  // let the reader catch up
    }
    (void)w->Write(Stream::kStdout, "last words");
    (void)w->Close();
    want += "last words";
    exited = true;
  });
  writer.join();
  reader.join();
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_GT(ListRotatedFiles(path_).size(), 20u);
  EXPECT_EQ(got.Get(), want);
  EXPECT_EQ(stats.malformed, 0);
}

TEST_F(CriLogTest, FollowShowsPartialOutputPromptlyAndStopsOnCancel) {
  auto w = NewWriter();
  ASSERT_TRUE(w);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->Write(Stream::kStdout, std::to_string(i) + "\n").ok());
  std::atomic<bool> cancel{false};
  Collector got;
  ReadOptions ro;
  ro.follow = true;
  ro.tail_lines = 2;
  ro.timestamps = true;
  ro.poll_interval = std::chrono::milliseconds(5);
  ro.cancelled = [&] { return cancel.load(); };
  Status status;
  std::thread reader([&] { status = ReadLogs(path_, ro, got.Sink()); });
  const std::string ts = "2026-11-25T10:00:00.000000000Z ";
  ASSERT_TRUE(got.WaitFor(ts + "3\n" + ts + "4\n"));
  ASSERT_TRUE(w->Write(Stream::kStdout, "downloading...").ok());
  ASSERT_TRUE(w->Flush().ok());
  ASSERT_TRUE(got.WaitFor(ts + "3\n" + ts + "4\n" + ts + "downloading..."));
  ASSERT_TRUE(w->Write(Stream::kStdout, " done\n").ok());
  ASSERT_TRUE(got.WaitFor(ts + "3\n" + ts + "4\n" + ts + "downloading... done\n"));
  cancel = true;
  reader.join();
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(CriLogTest, FollowOfExitedContainerReturnsAfterDraining) {
  auto w = NewWriter();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write(Stream::kStdout, "done\n").ok());
  ReadOptions ro;
  ro.follow = true;
  ro.container_exited = [] { return true; };
  EXPECT_EQ(ReadAll(path_, ro), "done\n");
}

}  // namespace
}  // namespace kubepp::runtime::logs
