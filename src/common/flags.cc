#include "common/flags.h"

#include <charconv>

namespace kubepp {

void FlagSet::String(const std::string& name, std::string* dest, std::string help) {
  flags_.push_back({name, Type::kString, dest, std::move(help), *dest});
}
void FlagSet::Int(const std::string& name, int64_t* dest, std::string help) {
  flags_.push_back({name, Type::kInt, dest, std::move(help), std::to_string(*dest)});
}
void FlagSet::Bool(const std::string& name, bool* dest, std::string help) {
  flags_.push_back({name, Type::kBool, dest, std::move(help), *dest ? "true" : "false"});
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status FlagSet::Set(const Flag& flag, const std::string& value) const {
  switch (flag.type) {
    case Type::kString:
      *static_cast<std::string*>(flag.dest) = value;
      return Status::Ok();
    case Type::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
        return Status::BadRequest("invalid value \"" + value + "\" for flag --" + flag.name +
                                  ": expected an integer");
      }
      *static_cast<int64_t*>(flag.dest) = v;
      return Status::Ok();
    }
    case Type::kBool:
      if (value == "true" || value == "1") {
        *static_cast<bool*>(flag.dest) = true;
      } else if (value == "false" || value == "0") {
        *static_cast<bool*>(flag.dest) = false;
      } else {
        return Status::BadRequest("invalid value \"" + value + "\" for flag --" + flag.name +
                                  ": expected true or false");
      }
      return Status::Ok();
  }
  return Status::Internal("unreachable");
}

Status FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body, value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    if (name == "help" || name == "h") {
      help_ = true;
      continue;
    }
    const Flag* flag = Find(name);
    if (flag == nullptr) {
      return Status::BadRequest("unknown flag: --" + name + " (see 'kubepp " + command_ + " --help')");
    }
    if (!has_value) {
      if (flag->type == Type::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Status::BadRequest("flag needs an argument: --" + name);
      }
    }
    RETURN_IF_ERROR(Set(*flag, value));
  }
  return Status::Ok();
}

std::string FlagSet::Usage() const {
  std::string out = "Usage: kubepp " + command_ + " [flags]\n\nFlags:\n";
  for (const Flag& f : flags_) {
    out += "  --" + f.name;
    if (f.type != Type::kBool) out += " value";
    out += "\n      " + f.help;
    if (!f.default_text.empty()) out += " (default \"" + f.default_text + "\")";
    out += "\n";
  }
  return out;
}

}  // namespace kubepp
