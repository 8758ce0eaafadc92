// Box<T>: a heap-allocated T with value semantics (deep copy, deep equality).
// The generated structs use it for a member whose type contains the struct
// itself (recursive definitions such as JSONSchemaProps.not), where a plain
// member would have infinite size. A Box always holds a T, except after being
// moved from (then it may only be assigned or destroyed).
//
// Thread-safety: a value type.
#pragma once

#include <memory>
#include <utility>

namespace kubepp::api {

template <typename T>
class Box {
 public:
  Box() : p_(std::make_unique<T>()) {}
  Box(const T& v) : p_(std::make_unique<T>(v)) {}             // NOLINT(implicit)
  Box(T&& v) : p_(std::make_unique<T>(std::move(v))) {}       // NOLINT(implicit)
  Box(const Box& o) : p_(std::make_unique<T>(*o.p_)) {}
  Box(Box&& o) noexcept = default;
  Box& operator=(const Box& o) {
    if (this != &o) p_ = std::make_unique<T>(*o.p_);
    return *this;
  }
  Box& operator=(Box&& o) noexcept = default;
  ~Box() = default;

  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }

  bool operator==(const Box& o) const { return *p_ == *o.p_; }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace kubepp::api
