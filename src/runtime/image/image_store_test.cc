#include "runtime/image/image_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/testing/temp_dir.h"
#include "runtime/image/digest.h"
#include "runtime/testing/test_image.h"

namespace kubepp::runtime::image {
namespace {

namespace fs = std::filesystem;
using testimage::BuildBusyboxImage;
using testimage::TestImage;
using testimage::TestImageOptions;

size_t CountEntries(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    root_ = tmp_.path() + "/store";
  }
  std::unique_ptr<ImageStore> OpenStore(StoreOptions options = {}) {
    auto s = ImageStore::Open(root_, std::move(options));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string Path(const std::string& name) { return tmp_.path() + "/" + name; }

  TempDir tmp_{"kubepp-store-test"};
  std::string root_;
};

TEST_F(ImageStoreTest, ImportsOciArchive) {
  auto id = testimage::WriteBusyboxOciArchive(Path("bb.oci.tar"), "docker.io/library/busybox:latest");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto store = OpenStore();
  auto imported = store->Import(Path("bb.oci.tar"));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ASSERT_EQ(imported->size(), 1u);
  const Image& img = (*imported)[0];
  EXPECT_EQ(img.id, *id);
  EXPECT_EQ(img.repo_tags, std::vector<std::string>{"docker.io/library/busybox:latest"});
  EXPECT_EQ(img.config.cmd, std::vector<std::string>{"sh"});
  ASSERT_EQ(img.config.env.size(), 1u);
  EXPECT_EQ(img.config.env[0].rfind("PATH=", 0), 0u);
  ASSERT_EQ(img.layer_dirs.size(), 1u);
  EXPECT_TRUE(fs::is_regular_file(img.layer_dirs[0] + "/bin/busybox"));
  EXPECT_EQ(fs::read_symlink(img.layer_dirs[0] + "/bin/sh"), "busybox");
  EXPECT_GT(img.size, 100000u);
  EXPECT_TRUE(fs::exists(root_ + "/blobs/sha256/" + img.id.substr(7)));

  for (const char* ref : {"busybox", "busybox:latest", "docker.io/library/busybox:latest"}) {
    auto got = store->Get(ref);
    ASSERT_TRUE(got.ok()) << ref;
    EXPECT_EQ(got->id, *id);
  }
  EXPECT_TRUE(store->Get(*id).ok());
  EXPECT_TRUE(store->Get(id->substr(7)).ok());
  EXPECT_EQ(store->Get("busybox:2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->List().size(), 1u);

  // Reopening finds the image again.
  store.reset();
  store = OpenStore();
  auto again = store->Get("busybox");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->layer_dirs, img.layer_dirs);
  EXPECT_EQ(again->config.cmd, img.config.cmd);
}

TEST_F(ImageStoreTest, ImportsDockerArchiveAndSharesLayers) {
  TestImageOptions o;
  o.whiteout_layer = true;
  auto img = BuildBusyboxImage(o);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  ASSERT_TRUE(testimage::WriteDockerArchive(*img, Path("bb.docker.tar"), "busybox:wh").ok());
  ASSERT_TRUE(testimage::WriteOciArchive(*img, Path("bb.oci.tar"), "example.com/x/bb:1", true).ok());
  auto store = OpenStore();
  auto d = store->Import(Path("bb.docker.tar"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].id, img->id());
  EXPECT_EQ((*d)[0].repo_tags, std::vector<std::string>{"docker.io/library/busybox:wh"});
  ASSERT_EQ((*d)[0].layer_dirs.size(), 2u);
  struct stat st;
  ASSERT_EQ(::lstat(((*d)[0].layer_dirs[1] + "/etc/motd").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));  // an overlay whiteout

  // The OCI archive (gzip layers, behind an image index) is the same image:
  // same id, same unpacked layers, one more tag.
  auto o2 = store->Import(Path("bb.oci.tar"));
  ASSERT_TRUE(o2.ok()) << o2.status().ToString();
  EXPECT_EQ((*o2)[0].id, img->id());
  EXPECT_EQ((*o2)[0].layer_dirs, (*d)[0].layer_dirs);
  EXPECT_EQ((*o2)[0].repo_tags.size(), 2u);
  EXPECT_EQ(CountEntries(root_ + "/layers"), 2u);
  EXPECT_EQ(store->List().size(), 1u);

  // Removing one tag keeps the image; removing the last removes it and its content.
  ASSERT_TRUE(store->Remove("busybox:wh").ok());
  ASSERT_TRUE(store->Get(img->id()).ok());
  EXPECT_EQ(store->Remove("busybox:wh").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store->Remove("example.com/x/bb:1").ok());
  EXPECT_EQ(store->Get(img->id()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountEntries(root_ + "/layers"), 0u);
  EXPECT_EQ(CountEntries(root_ + "/blobs/sha256"), 0u);
  EXPECT_EQ(CountEntries(root_ + "/images"), 0u);
}

TEST_F(ImageStoreTest, RejectsCorruptBlobs) {
  auto img = BuildBusyboxImage();
  ASSERT_TRUE(img.ok());
  // A layer whose bytes do not match the digest the manifest names.
  TestImage bad = *img;
  bad.layers[0].data[bad.layers[0].data.size() / 2] ^= 0x55;
  ASSERT_TRUE(testimage::WriteOciArchive(bad, Path("bad.tar"), "bad/image:1").ok());
  // A config whose diff id does not match the layer's content.
  TestImage bad_diff = *img;
  auto other = testimage::BuildTar({{"x", testimage::TarEntry::Type::kFile, "x"}});
  ASSERT_TRUE(other.ok());
  auto rebuilt = testimage::BuildImage({*other}, {});
  ASSERT_TRUE(rebuilt.ok());
  bad_diff.layers = rebuilt->layers;  // manifest still lists the busybox layer digest
  ASSERT_TRUE(testimage::WriteOciArchive(bad_diff, Path("bad2.tar"), "bad/image:2").ok());

  auto store = OpenStore();
  auto r = store->Import(Path("bad.tar"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid) << r.status().ToString();
  auto r2 = store->Import(Path("bad2.tar"));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kInvalid) << r2.status().ToString();

  // Diff-id mismatch through the docker path: the layer tar is swapped.
  TestImage swapped = *img;
  swapped.layer_tars[0] = *other;
  ASSERT_TRUE(testimage::WriteDockerArchive(swapped, Path("bad3.tar"), "bad/image:3").ok());
  auto r3 = store->Import(Path("bad3.tar"));
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.status().message().find("diff id mismatch"), std::string::npos) << r3.status().ToString();

  EXPECT_TRUE(store->List().empty());
  EXPECT_EQ(CountEntries(root_ + "/layers"), 0u);
  EXPECT_EQ(CountEntries(root_ + "/tmp"), 0u);
  std::ofstream(Path("junk.tar")) << "not an archive at all";
  EXPECT_EQ(store->Import(Path("junk.tar")).status().code(), StatusCode::kInvalid);
  EXPECT_EQ(store->Import(Path("missing.tar")).status().code(), StatusCode::kNotFound);
}

TEST_F(ImageStoreTest, TagMovesToTheNewestImport) {
  TestImageOptions a, b;
  a.extra_files["version"] = "a";
  b.extra_files["version"] = "b";
  auto ida = testimage::WriteBusyboxOciArchive(Path("a.tar"), "busybox:latest", a);
  auto idb = testimage::WriteBusyboxOciArchive(Path("b.tar"), "busybox:latest", b);
  ASSERT_TRUE(ida.ok() && idb.ok());
  auto store = OpenStore();
  ASSERT_TRUE(store->Import(Path("a.tar")).ok());
  ASSERT_TRUE(store->Import(Path("b.tar")).ok());
  EXPECT_EQ(store->Get("busybox")->id, *idb);
  auto old = store->Get(*ida);
  ASSERT_TRUE(old.ok());  // kept untagged until removed or collected
  EXPECT_TRUE(old->repo_tags.empty());
  ASSERT_TRUE(store->Remove(*ida).ok());
  EXPECT_EQ(store->List().size(), 1u);
}

TEST_F(ImageStoreTest, ImportDirectoryImportsEveryArchive) {
  fs::create_directories(Path("images"));
  TestImageOptions a;
  a.extra_files["version"] = "a";
  ASSERT_TRUE(testimage::WriteBusyboxOciArchive(Path("images/a.tar"), "a/a:1", a).ok());
  ASSERT_TRUE(testimage::WriteBusyboxDockerArchive(Path("images/b.tar"), "b/b:1").ok());
  std::ofstream(Path("images/readme.txt")) << "ignored";
  auto store = OpenStore();
  auto n = store->ImportDirectory(Path("images"));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_TRUE(store->Get("a/a:1").ok());
  EXPECT_TRUE(store->Get("b/b:1").ok());
  EXPECT_EQ(*store->ImportDirectory(Path("no-such-dir")), 0);
}

TEST_F(ImageStoreTest, GarbageCollectsLeastRecentlyUsedAboveThreshold) {
  int64_t now = 1000;
  std::vector<std::string> ids;
  for (const char* v : {"in-use", "oldest", "newer"}) {
    TestImageOptions o;
    o.extra_files["version"] = v;
    auto id =
        testimage::WriteBusyboxOciArchive(Path(std::string(v) + ".tar"), std::string("gc/") + v + ":1", o);
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  ImageStore* self = nullptr;
  uint64_t capacity = 0;
  StoreOptions options;
  options.now_unix = [&] { return now; };
  // Disk usage = what the images take, on a disk of `capacity` bytes.
  options.fs_info = [&]() -> StatusOr<FsInfo> {
    FsInfo info;
    uint64_t used = 0;
    for (const auto& img : self->List()) used += img.size;
    info.capacity_bytes = capacity;
    info.available_bytes = capacity - used;
    info.used_bytes = used;
    return info;
  };
  auto store = OpenStore(options);
  self = store.get();
  for (const char* v : {"in-use", "oldest", "newer"}) {
    ASSERT_TRUE(store->Import(Path(std::string(v) + ".tar")).ok());
    now += 10;
  }
  store->MarkUsed("gc/newer:1");  // newer stays the most recently used
  uint64_t size = store->Get(ids[0])->size;
  capacity = size * 3 * 100 / 90;  // 90% used

  // Below the high threshold: nothing happens.
  GcPolicy relaxed{95, 60, std::chrono::seconds(0)};
  auto r0 = store->GarbageCollect(relaxed, {ids[0]});
  ASSERT_TRUE(r0.ok());
  EXPECT_FALSE(r0->threshold_exceeded);
  EXPECT_EQ(store->List().size(), 3u);

  // 90% >= 85%: free down to 65% (about one image): the least recently used
  // image not in use goes.
  GcPolicy policy{85, 65, std::chrono::seconds(0)};
  auto r = store->GarbageCollect(policy, {ids[0]});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->threshold_exceeded);
  EXPECT_EQ(r->removed_ids, std::vector<std::string>{ids[1]});
  EXPECT_TRUE(store->Get(ids[0]).ok());
  EXPECT_TRUE(store->Get(ids[2]).ok());

  // min_age protects recently used images.
  capacity = size * 2 * 100 / 95;
  GcPolicy young{85, 10, std::chrono::seconds(3600)};
  auto r2 = store->GarbageCollect(young, {});
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->removed_ids.empty());
  GcPolicy bad{50, 60, std::chrono::seconds(0)};
  EXPECT_EQ(store->GarbageCollect(bad, {}).status().code(), StatusCode::kInvalid);
}

TEST_F(ImageStoreTest, FsInfoCountsTheStore) {
  auto store = OpenStore();
  auto before = store->GetFsInfo();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(testimage::WriteBusyboxOciArchive(Path("bb.tar"), "busybox").ok());
  ASSERT_TRUE(store->Import(Path("bb.tar")).ok());
  auto after = store->GetFsInfo();
  ASSERT_TRUE(after.ok());
  EXPECT_GT(after->used_bytes, before->used_bytes + 1000000);
  EXPECT_GT(after->inodes_used, before->inodes_used + 20);
  EXPECT_GT(after->capacity_bytes, 0u);
  EXPECT_EQ(after->mountpoint, store->root());
}

TEST_F(ImageStoreTest, OpenCleansCrashLeftovers) {
  { auto store = OpenStore(); }
  std::ofstream(root_ + "/tmp/half-download") << "x";
  fs::create_directories(root_ + "/layers/" + std::string(64, 'a') + "/fs");
  std::ofstream(root_ + "/blobs/sha256/" + std::string(64, 'b')) << "orphan";
  std::ofstream(root_ + "/images/" + std::string(64, 'c') + ".json") << "{truncated";
  auto store = OpenStore();
  EXPECT_EQ(CountEntries(root_ + "/tmp"), 0u);
  EXPECT_EQ(CountEntries(root_ + "/layers"), 0u);
  EXPECT_EQ(CountEntries(root_ + "/blobs/sha256"), 0u);
  EXPECT_EQ(CountEntries(root_ + "/images"), 0u);
}

}  // namespace
}  // namespace kubepp::runtime::image
