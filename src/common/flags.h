// A small command-line flag parser for kubepp's subcommands.
//
// Flags are declared with a name, a destination and help text, then Parse()
// consumes `--name=value`, `--name value` and, for booleans, `--name` /
// `--name=false`. Every error names the flag it is about, so a user who
// mistypes a flag learns which one. Not thread-safe; used once in main().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp {

class FlagSet {
 public:
  explicit FlagSet(std::string command) : command_(std::move(command)) {}

  void String(const std::string& name, std::string* dest, std::string help);
  void Int(const std::string& name, int64_t* dest, std::string help);
  void Bool(const std::string& name, bool* dest, std::string help);

  // Parses args (without the program and subcommand names). Positional
  // arguments are collected in positional(). Returns InvalidArgument-style
  // kBadRequest naming the flag on an unknown flag, a missing value or a
  // value of the wrong type. `--help` sets help_requested().
  Status Parse(const std::vector<std::string>& args);

  const std::vector<std::string>& positional() const { return positional_; }
  bool help_requested() const { return help_; }
  // "Usage: kubepp <command> [flags]" and one line per flag with its default.
  std::string Usage() const;

 private:
  enum class Type { kString, kInt, kBool };
  struct Flag {
    std::string name;
    Type type;
    void* dest;
    std::string help;
    std::string default_text;
  };
  const Flag* Find(const std::string& name) const;
  Status Set(const Flag& flag, const std::string& value) const;

  std::string command_;
  std::vector<Flag> flags_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace kubepp
