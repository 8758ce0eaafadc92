#include "api/names.h"

#include <gtest/gtest.h>

#include <set>

namespace kubepp::api {
namespace {

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

const std::string kLabelRegex =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string kSubdomainRegex =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kNamePartRegex =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

TEST(NamesTest, DNS1123Label) {
  for (const char* ok : {"a", "ab", "a-b", "0", "a1", "1a", "abc-123", "a--b"}) {
    EXPECT_TRUE(IsDNS1123Label(ok).empty()) << ok;
  }
  EXPECT_TRUE(IsDNS1123Label(std::string(63, 'a')).empty());
  const std::pair<std::string, std::string> bad[] = {
      {"", kLabelRegex},         {"-a", kLabelRegex},     {"a-", kLabelRegex},
      {"A", kLabelRegex},        {"a_b", kLabelRegex},    {"a b", kLabelRegex},
      {"a.b", "must not contain dots"},
      {std::string(64, 'a'), "must be no more than 63 characters"},
      {std::string(64, '-'), "must be no more than 63 characters; " + kLabelRegex},
  };
  for (const auto& [in, want] : bad) EXPECT_EQ(Joined(IsDNS1123Label(in)), want) << in;
}

TEST(NamesTest, DNS1123Subdomain) {
  for (const char* ok : {"a", "a.b", "example.com", "a-b.c-d", "0.0", "kube-system"}) {
    EXPECT_TRUE(IsDNS1123Subdomain(ok).empty()) << ok;
  }
  std::string long_ok = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                        std::string(61, 'd');
  ASSERT_EQ(long_ok.size(), 253u);
  EXPECT_TRUE(IsDNS1123Subdomain(long_ok).empty());
  const std::pair<std::string, std::string> bad[] = {
      {"", kSubdomainRegex},     {".a", kSubdomainRegex},  {"a.", kSubdomainRegex},
      {"a..b", kSubdomainRegex}, {"A.b", kSubdomainRegex}, {"a_b.c", kSubdomainRegex},
      {"-a.b", kSubdomainRegex},
      {long_ok + "e", "must be no more than 253 characters"},
  };
  for (const auto& [in, want] : bad) EXPECT_EQ(Joined(IsDNS1123Subdomain(in)), want) << in;
}

TEST(NamesTest, DNS1035Label) {
  for (const char* ok : {"a", "a1", "a-b", "my-svc"}) EXPECT_TRUE(IsDNS1035Label(ok).empty()) << ok;
  const std::string msg =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
      "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
      "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  for (const char* bad : {"", "1a", "-a", "a-", "a.b", "A"}) EXPECT_EQ(Joined(IsDNS1035Label(bad)), msg) << bad;
}

TEST(NamesTest, QualifiedName) {
  for (const char* ok : {"a", "A", "app", "app.kubernetes.io/name", "example.com/MyName", "a_b", "a.b-c_d",
                         "k8s.io/x", "1"}) {
    EXPECT_TRUE(IsQualifiedName(ok).empty()) << ok;
  }
  const std::pair<std::string, std::string> bad[] = {
      {"", "name part must be non-empty; " + kNamePartRegex},
      {"-a", kNamePartRegex},
      {"a b", kNamePartRegex},
      {"a/", "name part must be non-empty; " + kNamePartRegex},
      {"/a", "prefix part must be non-empty"},
      {"Example.com/a", "prefix part " + kSubdomainRegex},
      {std::string(64, 'a'), "name part must be no more than 63 characters"},
      {"a/b/c",
       "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
       "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
       "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix "
       "and '/' (e.g. 'example.com/MyName')"},
  };
  for (const auto& [in, want] : bad) EXPECT_EQ(Joined(IsQualifiedName(in)), want) << in;
}

TEST(NamesTest, LabelValue) {
  for (const char* ok : {"", "a", "A", "a-b_c.d", "1.0", "MyValue"}) EXPECT_TRUE(IsValidLabelValue(ok).empty()) << ok;
  const std::string msg =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
      "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
      "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  for (const char* bad : {"-a", "a-", "a b", "a/b", ".", "é"}) EXPECT_EQ(Joined(IsValidLabelValue(bad)), msg) << bad;
  EXPECT_EQ(Joined(IsValidLabelValue(std::string(64, 'a'))), "must be no more than 63 characters");
}

TEST(NamesTest, PathSegmentName) {
  EXPECT_TRUE(IsValidPathSegmentName("ok").empty());
  EXPECT_TRUE(IsValidPathSegmentName("...").empty());
  EXPECT_EQ(Joined(IsValidPathSegmentName(".")), "may not be '.'");
  EXPECT_EQ(Joined(IsValidPathSegmentName("..")), "may not be '..'");
  EXPECT_EQ(Joined(IsValidPathSegmentName("a/b")), "may not contain '/'");
  EXPECT_EQ(Joined(IsValidPathSegmentName("a%b")), "may not contain '%'");
  EXPECT_EQ(Joined(IsValidPathSegmentName("/%")), "may not contain '/'; may not contain '%'");
}

TEST(NamesTest, ValidateLabelsAndAnnotations) {
  EXPECT_TRUE(ValidateLabels({{"app", "web"}, {"example.com/tier", ""}}, "metadata.labels").empty());
  FieldErrors errs = ValidateLabels({{"bad key", "v"}, {"k", "bad value"}}, "metadata.labels");
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].ToString(), "metadata.labels: Invalid value: \"bad key\": " + kNamePartRegex);
  EXPECT_EQ(errs[1].field, "metadata.labels");
  EXPECT_EQ(errs[1].value, "\"bad value\"");
  // Annotation keys are case-insensitive for validation; values are free.
  EXPECT_TRUE(ValidateAnnotations({{"Example.COM/Key", "any value at all, even spaces"}}, "metadata.annotations").empty());
  EXPECT_EQ(ValidateAnnotations({{"a b", ""}}, "metadata.annotations").size(), 1u);
  FieldErrors big = ValidateAnnotations({{"k", std::string(256 * 1024, 'x')}}, "metadata.annotations");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].ToString(), "metadata.annotations: Too long: may not be more than 262144 bytes");
  EXPECT_TRUE(ValidateAnnotations({{"k", std::string(256 * 1024 - 1, 'x')}}, "metadata.annotations").empty());
}

TEST(NamesTest, GenerateName) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string n = GenerateName("web-");
    ASSERT_EQ(n.size(), 9u);
    EXPECT_EQ(n.substr(0, 4), "web-");
    for (char c : n.substr(4)) EXPECT_NE(kGenerateNameAlphabet.find(c), std::string_view::npos) << n;
    EXPECT_TRUE(IsDNS1123Label(n).empty()) << n;
    seen.insert(n);
  }
  // 27^5 possibilities: 200 draws colliding more than a handful means no randomness.
  EXPECT_GT(seen.size(), 190u);
  std::string long_prefix(100, 'a');
  std::string n = GenerateName(long_prefix);
  EXPECT_EQ(n.size(), 63u);
  EXPECT_EQ(n.substr(0, 58), std::string(58, 'a'));
  EXPECT_EQ(GenerateName("").size(), 5u);
}

}  // namespace
}  // namespace kubepp::api
