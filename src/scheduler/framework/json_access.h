// Read-only accessors for API objects held as nlohmann::json, shared by the
// framework and the Filter plugins (internal to src/scheduler/). They treat a
// missing member, a null one and a step through a non-object alike, which is
// how upstream's typed structs see absent optional fields.
//
// Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace kubepp::scheduler::internal {

// The value at `path` below `obj` ({"spec", "nodeName"}), each step a member
// of an object. nullptr when a step is missing or null, or when a value on
// the way is not an object.
const nlohmann::json *Find(const nlohmann::json &obj, std::initializer_list<const char *> path);

// The string at `path` below `obj`; "" when Find gives nullptr or the value
// is not a string.
std::string StringAt(const nlohmann::json &obj, std::initializer_list<const char *> path);

}  // namespace kubepp::scheduler::internal
