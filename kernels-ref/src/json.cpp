#include "json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace json {

const Value* Value::get(const std::string& key) const {
  for (const auto& kv : o)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

const char* Value::typeName() const {
  switch (type) {
    case Null: return "null";
    case Bool: return "a boolean";
    case Number: return "a number";
    case String: return "a string";
    case Array: return "an array";
    default: return "an object";
  }
}

namespace {

struct Parser {
  const std::string& t;
  size_t i = 0;
  std::string err;
  explicit Parser(const std::string& text) : t(text) {}

  bool fail(const std::string& what) {
    if (err.empty()) err = what + " at character " + std::to_string(i + 1);
    return false;
  }
  void ws() {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
  }
  bool lit(const char* word) {
    size_t n = 0;
    while (word[n]) ++n;
    if (t.compare(i, n, word) != 0) return fail("invalid literal");
    i += n;
    return true;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  bool hex4(unsigned& v) {
    if (i + 4 > t.size()) return fail("truncated \\u escape");
    v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t[i++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
      else return fail("bad \\u escape");
    }
    return true;
  }
  bool str(std::string& out) {
    ++i;  // opening quote
    while (true) {
      if (i >= t.size()) return fail("unterminated string");
      char c = t[i++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= t.size()) return fail("unterminated escape");
      char e = t[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < t.size() && t[i] == '\\' && t[i + 1] == 'u') {
            i += 2;
            unsigned lo = 0;
            if (!hex4(lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: return fail("bad escape");
      }
    }
  }
  bool num(double& out) {
    size_t start = i;
    if (i < t.size() && t[i] == '-') ++i;
    if (i >= t.size() || !(t[i] >= '0' && t[i] <= '9')) return fail("invalid number");
    while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.' || t[i] == 'e' || t[i] == 'E' || t[i] == '+' || t[i] == '-')) ++i;
    std::string s = t.substr(start, i - start);
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return fail("invalid number");
    return true;
  }
  bool value(Value& v, int depth) {
    if (depth > 64) return fail("nesting too deep");
    ws();
    if (i >= t.size()) return fail("unexpected end of input");
    char c = t[i];
    if (c == '{') {
      v.type = Value::Object;
      ++i;
      ws();
      if (i < t.size() && t[i] == '}') { ++i; return true; }
      while (true) {
        ws();
        if (i >= t.size() || t[i] != '"') return fail("expected a string key");
        std::string key;
        if (!str(key)) return false;
        ws();
        if (i >= t.size() || t[i] != ':') return fail("expected ':'");
        ++i;
        Value child;
        if (!value(child, depth + 1)) return false;
        v.o.emplace_back(std::move(key), std::move(child));
        ws();
        if (i < t.size() && t[i] == ',') { ++i; continue; }
        if (i < t.size() && t[i] == '}') { ++i; return true; }
        return fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.type = Value::Array;
      ++i;
      ws();
      if (i < t.size() && t[i] == ']') { ++i; return true; }
      while (true) {
        Value child;
        if (!value(child, depth + 1)) return false;
        v.a.push_back(std::move(child));
        ws();
        if (i < t.size() && t[i] == ',') { ++i; continue; }
        if (i < t.size() && t[i] == ']') { ++i; return true; }
        return fail("expected ',' or ']'");
      }
    }
    if (c == '"') { v.type = Value::String; return str(v.s); }
    if (c == 't') { v.type = Value::Bool; v.b = true; return lit("true"); }
    if (c == 'f') { v.type = Value::Bool; v.b = false; return lit("false"); }
    if (c == 'n') { v.type = Value::Null; return lit("null"); }
    v.type = Value::Number;
    return num(v.n);
  }
};

}  // namespace

bool parse(const std::string& text, Value& out, std::string& err) {
  Parser p(text);
  out = Value();
  if (!p.value(out, 0)) { err = p.err; return false; }
  p.ws();
  if (p.i != text.size()) { p.fail("trailing characters"); err = p.err; return false; }
  return true;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) throw std::runtime_error("internal: non-finite number in output");
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

Obj& Obj::raw(const std::string& key, const std::string& rawJson) {
  if (body_.size() > 1) body_ += ",";
  body_ += quote(key) + ":" + rawJson;
  return *this;
}

std::string array(const std::vector<std::string>& rawItems) {
  std::string s = "[";
  for (size_t k = 0; k < rawItems.size(); ++k) s += (k ? "," : "") + rawItems[k];
  return s + "]";
}

}  // namespace json
