#include "scheduler/plugins/default_binder/default_binder.h"

#include <gtest/gtest.h>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakePod;

TEST(DefaultBinderTest, PostsBinding) {
  testing::FakeHandle handle;
  handle.transport().Respond("POST", "/api/v1/namespaces/ns1/pods/web/binding", 201,
                             R"({"kind":"Status","apiVersion":"v1","status":"Success","code":201})");
  auto plugin = NewDefaultBinder(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  auto* binder = dynamic_cast<BindPlugin*>(plugin->get());
  ASSERT_NE(binder, nullptr);
  EXPECT_EQ((*plugin)->Name(), "DefaultBinder");
  auto pod = MakePod("web").Namespace("ns1").Uid("uid-1").Info();
  CycleState state;
  PluginStatus s = binder->Bind(state, *pod, "node-7");
  EXPECT_TRUE(s.IsSuccess()) << s.Message();
  auto requests = handle.transport().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target.substr(0, requests[0].target.find('?')),
            "/api/v1/namespaces/ns1/pods/web/binding");
  json body = json::parse(requests[0].body);
  EXPECT_EQ(body, json::parse(R"({"apiVersion":"v1","kind":"Binding",
      "metadata":{"name":"web","namespace":"ns1","uid":"uid-1"},
      "target":{"apiVersion":"v1","kind":"Node","name":"node-7"}})"));
}

TEST(DefaultBinderTest, ApiErrorIsAnError) {
  testing::FakeHandle handle;
  handle.transport().Respond(
      "POST", "/api/v1/namespaces/default/pods/web/binding", 409,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409,
          "message":"Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to node \"n1\""})");
  auto plugin = NewDefaultBinder(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  CycleState state;
  PluginStatus s = dynamic_cast<BindPlugin*>(plugin->get())->Bind(state, *MakePod("web").Info(), "n2");
  EXPECT_EQ(s.code(), Code::kError);
  EXPECT_EQ(
      s.Message(),
      "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to node \"n1\"");
}

TEST(DefaultBinderTest, MissingPod) {
  testing::FakeHandle handle;
  handle.transport().Respond("POST", "/api/v1/namespaces/default/pods/gone/binding", 404,
                             R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound",
                                 "code":404,"message":"pods \"gone\" not found"})");
  auto plugin = NewDefaultBinder(nullptr, handle);
  CycleState state;
  PluginStatus s = dynamic_cast<BindPlugin*>(plugin->get())->Bind(state, *MakePod("gone").Info(), "n1");
  EXPECT_EQ(s.code(), Code::kError);
  EXPECT_EQ(s.Message(), "pods \"gone\" not found");
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
