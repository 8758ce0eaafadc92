#include "client/indexer.h"

#include <nlohmann/json.hpp>

namespace kubepp::client {
namespace {

using nlohmann::json;

const json* Metadata(const json& object) {
  if (!object.is_object()) return nullptr;
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

std::string MetaString(const json& object, const char* field) {
  const json* meta = Metadata(object);
  if (meta == nullptr) return "";
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

IndexFunc NamespaceIndexFunc() {
  return [](const json& object) -> std::vector<std::string> {
    std::string ns = MetaString(object, "namespace");
    if (ns.empty()) return {};
    return {ns};
  };
}

IndexFunc FieldIndexFunc(std::string dotted_path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= dotted_path.size()) {
    size_t dot = dotted_path.find('.', start);
    if (dot == std::string::npos) dot = dotted_path.size();
    parts.push_back(dotted_path.substr(start, dot - start));
    start = dot + 1;
  }
  return [parts = std::move(parts)](const json& object) -> std::vector<std::string> {
    const json* cur = &object;
    for (const auto& p : parts) {
      if (!cur->is_object()) return {};
      auto it = cur->find(p);
      if (it == cur->end()) return {};
      cur = &*it;
    }
    if (!cur->is_string() || cur->get_ref<const std::string&>().empty()) return {};
    return {cur->get<std::string>()};
  };
}

std::string ObjectKey(const json& object) {
  std::string name = MetaString(object, "name");
  if (name.empty()) return "";
  std::string ns = MetaString(object, "namespace");
  return ns.empty() ? name : ns + "/" + name;
}

std::pair<std::string, std::string> SplitObjectKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

std::string ObjectResourceVersion(const json& object) { return MetaString(object, "resourceVersion"); }

api::Labels ObjectLabels(const json& object) {
  api::Labels out;
  const json* meta = Metadata(object);
  if (meta == nullptr) return out;
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return out;
  for (const auto& [k, v] : labels->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

Indexer::Indexer(Indexers indexers) {
  indexes_[kNamespaceIndex].func = NamespaceIndexFunc();
  for (auto& [name, func] : indexers) indexes_[name].func = std::move(func);
}

Status Indexer::AddIndexers(Indexers indexers) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, func] : indexers) {
    if (indexes_.count(name)) return Status::AlreadyExists("indexer conflict: " + name);
  }
  for (auto& [name, func] : indexers) {
    Index& index = indexes_[name];
    index.func = std::move(func);
    for (const auto& [key, object] : objects_) {
      for (auto& v : Values(index, *object)) index.keys_by_value[v].insert(key);
    }
  }
  return Status::Ok();
}

std::vector<std::string> Indexer::Values(const Index& index, const json& object) {
  try {
    return index.func(object);
  } catch (const std::exception&) {
    return {};  // see the header: a throwing index function indexes nothing
  }
}

void Indexer::IndexLocked(const std::string& key, const ObjectPtr& object) {
  for (auto& [name, index] : indexes_) {
    for (auto& v : Values(index, *object)) index.keys_by_value[v].insert(key);
  }
}

void Indexer::UnindexLocked(const std::string& key, const ObjectPtr& object) {
  for (auto& [name, index] : indexes_) {
    for (auto& v : Values(index, *object)) {
      auto it = index.keys_by_value.find(v);
      if (it == index.keys_by_value.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.keys_by_value.erase(it);
    }
  }
}

ObjectPtr Indexer::Upsert(ObjectPtr object) {
  if (!object) return nullptr;
  std::string key = ObjectKey(*object);
  if (key.empty()) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  ObjectPtr old;
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    old = it->second;
    UnindexLocked(key, old);
    it->second = object;
  } else {
    objects_.emplace(key, object);
  }
  IndexLocked(key, object);
  return old;
}

ObjectPtr Indexer::Delete(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  ObjectPtr old = it->second;
  UnindexLocked(key, old);
  objects_.erase(it);
  return old;
}

void Indexer::Replace(const std::vector<ObjectPtr>& objects) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_.clear();
  for (auto& [name, index] : indexes_) index.keys_by_value.clear();
  for (const auto& object : objects) {
    if (!object) continue;
    std::string key = ObjectKey(*object);
    if (key.empty()) continue;
    auto [it, inserted] = objects_.insert_or_assign(key, object);
    (void)it;
    (void)inserted;
  }
  for (const auto& [key, object] : objects_) IndexLocked(key, object);
}

ObjectPtr Indexer::Get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Indexer::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(object);
  return out;
}

std::vector<std::string> Indexer::ListKeys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(key);
  return out;
}

size_t Indexer::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.size();
}

StatusOr<std::vector<ObjectPtr>> Indexer::ByIndex(const std::string& index, const std::string& value) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return Status::NotFound("Index with name " + index + " does not exist");
  std::vector<ObjectPtr> out;
  auto it = idx->second.keys_by_value.find(value);
  if (it == idx->second.keys_by_value.end()) return out;
  for (const auto& key : it->second) out.push_back(objects_.at(key));
  return out;
}

StatusOr<std::vector<std::string>> Indexer::IndexKeys(const std::string& index, const std::string& value) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return Status::NotFound("Index with name " + index + " does not exist");
  auto it = idx->second.keys_by_value.find(value);
  if (it == idx->second.keys_by_value.end()) return std::vector<std::string>{};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

StatusOr<std::vector<std::string>> Indexer::ListIndexValues(const std::string& index) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return Status::NotFound("Index with name " + index + " does not exist");
  std::vector<std::string> out;
  for (const auto& [value, keys] : idx->second.keys_by_value) out.push_back(value);
  return out;
}

std::vector<ObjectPtr> Lister::List(const api::LabelSelector& selector) const {
  std::vector<ObjectPtr> out;
  for (auto& object : indexer_->List()) {
    if (selector.Matches(ObjectLabels(*object))) out.push_back(std::move(object));
  }
  return out;
}

std::vector<ObjectPtr> Lister::List(std::string_view ns, const api::LabelSelector& selector) const {
  if (ns.empty()) return List(selector);
  std::vector<ObjectPtr> out;
  auto in_ns = indexer_->ByIndex(kNamespaceIndex, std::string(ns));
  if (!in_ns.ok()) return out;  // the namespace index always exists
  for (auto& object : *in_ns) {
    if (selector.Matches(ObjectLabels(*object))) out.push_back(std::move(object));
  }
  return out;
}

StatusOr<ObjectPtr> Lister::Get(std::string_view ns, std::string_view name) const {
  std::string key = ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
  ObjectPtr object = indexer_->Get(key);
  if (!object) return Status::NotFound(resource_.GroupResource() + " \"" + std::string(name) + "\" not found");
  return object;
}

}  // namespace kubepp::client
