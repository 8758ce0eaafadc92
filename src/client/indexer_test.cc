// Indexer and Lister: keys, secondary indexes kept up to date through
// updates and deletes, label selection, NotFound wording.
#include "client/indexer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kubepp::client {
namespace {

using nlohmann::json;

ObjectPtr Pod(const std::string& ns, const std::string& name, const std::string& node,
              json labels = json::object()) {
  json pod = {{"kind", "Pod"}, {"metadata", {{"name", name}, {"labels", labels}}}, {"spec", json::object()}};
  if (!ns.empty()) pod["metadata"]["namespace"] = ns;
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  return std::make_shared<const json>(std::move(pod));
}

std::vector<std::string> Names(const std::vector<ObjectPtr>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back((*o)["metadata"]["name"]);
  return out;
}

TEST(ObjectKeyTest, NamespacedAndClusterScoped) {
  EXPECT_EQ(ObjectKey(*Pod("ns1", "a", "")), "ns1/a");
  EXPECT_EQ(ObjectKey(*Pod("", "node-1", "")), "node-1");
  EXPECT_EQ(ObjectKey(json::object()), "");
  EXPECT_EQ(ObjectKey(json::array()), "");
  EXPECT_EQ(SplitObjectKey("ns1/a"), (std::pair<std::string, std::string>{"ns1", "a"}));
  EXPECT_EQ(SplitObjectKey("node-1"), (std::pair<std::string, std::string>{"", "node-1"}));
}

TEST(IndexerTest, UpsertGetDeleteList) {
  Indexer indexer;
  EXPECT_EQ(indexer.Upsert(Pod("ns1", "b", "")), nullptr);
  EXPECT_EQ(indexer.Upsert(Pod("ns1", "a", "")), nullptr);
  auto replaced = indexer.Upsert(Pod("ns1", "a", "n1"));
  ASSERT_NE(replaced, nullptr);
  EXPECT_FALSE((*replaced)["spec"].contains("nodeName"));  // the previous version is returned
  EXPECT_EQ(indexer.size(), 2u);
  EXPECT_EQ(indexer.ListKeys(), (std::vector<std::string>{"ns1/a", "ns1/b"}));
  EXPECT_EQ((*indexer.Get("ns1/a"))["spec"]["nodeName"], "n1");
  EXPECT_EQ(indexer.Get("ns1/zzz"), nullptr);
  EXPECT_NE(indexer.Delete("ns1/a"), nullptr);
  EXPECT_EQ(indexer.Delete("ns1/a"), nullptr);
  EXPECT_EQ(Names(indexer.List()), (std::vector<std::string>{"b"}));
  EXPECT_EQ(indexer.Upsert(std::make_shared<const json>(json{{"metadata", json::object()}})), nullptr);
  EXPECT_EQ(indexer.size(), 1u);  // nameless objects are not stored
}

TEST(IndexerTest, FieldIndexFollowsUpdatesAndDeletes) {
  Indexer indexer({{"node", FieldIndexFunc("spec.nodeName")}});
  indexer.Upsert(Pod("ns1", "a", "n1"));
  indexer.Upsert(Pod("ns1", "b", "n1"));
  indexer.Upsert(Pod("ns2", "c", "n2"));
  indexer.Upsert(Pod("ns2", "pending", ""));  // unscheduled: in no node's index
  EXPECT_EQ(Names(*indexer.ByIndex("node", "n1")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*indexer.ListIndexValues("node"), (std::vector<std::string>{"n1", "n2"}));

  indexer.Upsert(Pod("ns1", "a", "n2"));  // rescheduled
  EXPECT_EQ(Names(*indexer.ByIndex("node", "n1")), (std::vector<std::string>{"b"}));
  EXPECT_EQ(*indexer.IndexKeys("node", "n2"), (std::vector<std::string>{"ns1/a", "ns2/c"}));

  indexer.Delete("ns1/b");
  EXPECT_TRUE(indexer.ByIndex("node", "n1")->empty());
  EXPECT_EQ(*indexer.ListIndexValues("node"), (std::vector<std::string>{"n2"}));  // empty values vanish

  EXPECT_EQ(*indexer.IndexKeys(kNamespaceIndex, "ns2"), (std::vector<std::string>{"ns2/c", "ns2/pending"}));
  EXPECT_EQ(indexer.ByIndex("nope", "x").status().code(), StatusCode::kNotFound);
}

TEST(IndexerTest, AddIndexersIndexesExistingObjects) {
  Indexer indexer;
  indexer.Upsert(Pod("ns1", "a", "n1"));
  ASSERT_TRUE(indexer.AddIndexers({{"node", FieldIndexFunc("spec.nodeName")}}).ok());
  EXPECT_EQ(Names(*indexer.ByIndex("node", "n1")), (std::vector<std::string>{"a"}));
  EXPECT_EQ(indexer.AddIndexers({{"node", FieldIndexFunc("x")}}).code(), StatusCode::kAlreadyExists);
}

TEST(IndexerTest, ThrowingIndexFunctionIndexesNothing) {
  Indexer indexer({{"bad", [](const json& o) {
                      return std::vector<std::string>{o.at("spec").at("missing").get<std::string>()};
                    }}});
  indexer.Upsert(Pod("ns1", "a", "n1"));
  EXPECT_EQ(indexer.size(), 1u);
  EXPECT_TRUE(indexer.ListIndexValues("bad")->empty());
  EXPECT_NE(indexer.Delete("ns1/a"), nullptr);
}

TEST(IndexerTest, ReplaceRebuildsIndexes) {
  Indexer indexer({{"node", FieldIndexFunc("spec.nodeName")}});
  indexer.Upsert(Pod("ns1", "old", "n1"));
  indexer.Replace({Pod("ns1", "new", "n2")});
  EXPECT_EQ(indexer.ListKeys(), (std::vector<std::string>{"ns1/new"}));
  EXPECT_TRUE(indexer.ByIndex("node", "n1")->empty());
  EXPECT_EQ(Names(*indexer.ByIndex("node", "n2")), (std::vector<std::string>{"new"}));
}

TEST(ListerTest, SelectsByNamespaceAndLabels) {
  Indexer indexer;
  indexer.Upsert(Pod("ns1", "web-1", "", {{"app", "web"}}));
  indexer.Upsert(Pod("ns1", "db-1", "", {{"app", "db"}}));
  indexer.Upsert(Pod("ns2", "web-2", "", {{"app", "web"}}));
  Lister lister(indexer, {"", "v1", "pods"});
  auto web = api::LabelSelector::Parse("app=web");
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(Names(lister.List(*web)), (std::vector<std::string>{"web-1", "web-2"}));
  EXPECT_EQ(Names(lister.List("ns1", *web)), (std::vector<std::string>{"web-1"}));
  EXPECT_EQ(Names(lister.List("ns1")), (std::vector<std::string>{"db-1", "web-1"}));
  EXPECT_TRUE(lister.List("ns3").empty());
  auto got = lister.Get("ns2", "web-2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((**got)["metadata"]["namespace"], "ns2");
  auto missing = lister.Get("ns2", "web-1");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "pods \"web-1\" not found");
}

}  // namespace
}  // namespace kubepp::client
