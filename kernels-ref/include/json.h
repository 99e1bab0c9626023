// A tiny JSON reader and writer for the harness (no external dependencies). The reader handles what a plan
// line can contain (objects, arrays, strings with escapes, numbers, true/false/null); the writer builds one
// object per line and refuses non-finite numbers.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace json {

struct Value {
  enum Type { Null, Bool, Number, String, Array, Object } type = Null;
  bool b = false;
  double n = 0;
  std::string s;
  std::vector<Value> a;
  std::vector<std::pair<std::string, Value>> o;  // insertion order kept
  const Value* get(const std::string& key) const;
  const char* typeName() const;
};

/** Parses one JSON text; on failure returns false and sets err (with the character offset). */
bool parse(const std::string& text, Value& out, std::string& err);

std::string quote(const std::string& s);
/** A finite number as JSON: integers without exponent or fraction, others with 10 significant digits. */
std::string number(double v);

/** Builds one JSON object: add(key, rawJson) in order, str() closes it. */
class Obj {
 public:
  Obj& raw(const std::string& key, const std::string& rawJson);
  Obj& str(const std::string& key, const std::string& v) { return raw(key, quote(v)); }
  Obj& num(const std::string& key, double v) { return raw(key, number(v)); }
  Obj& boolean(const std::string& key, bool v) { return raw(key, v ? "true" : "false"); }
  std::string done() const { return body_ + "}"; }

 private:
  std::string body_ = "{";
};

std::string array(const std::vector<std::string>& rawItems);

}  // namespace json
