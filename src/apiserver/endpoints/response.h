// Response helpers shared by the endpoint files: metav1.Status bodies for
// errors, object encoding per negotiated format, Warning headers.
// Internal to apiserver/endpoints. Thread-safe (pure functions).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apiserver/endpoints/negotiation.h"
#include "apiserver/http/server.h"
#include "apiserver/registry/registry.h"
#include "common/status.h"

namespace kubepp::apiserver::endpoints {

// The metav1.Status JSON for an error (or success when `status` is OK).
nlohmann::json StatusObject(const Status& status, const registry::ErrorDetails* details);
// Sends `status` as a metav1.Status with its HTTP code.
void SendError(http::ResponseWriter& w, const Status& status, const registry::ErrorDetails* details = nullptr,
               const std::vector<std::string>& warnings = {});
// Adds `Warning: 299 - "text"` headers.
void AddWarnings(http::Headers& headers, const std::vector<std::string>& warnings);
// Encodes an object (or list) in the negotiated format; protobuf falls back to
// JSON for kinds without a protobuf form. Sets *content_type.
std::string EncodeObject(const nlohmann::json& obj, const ResponseFormat& format, std::string* content_type);

}  // namespace kubepp::apiserver::endpoints
