#include "meshjobs/messages/json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace meshjobs::json {
namespace {

object parse_ok(std::string_view text) {
  auto parsed = object::parse(text, "test");
  if (auto* error = std::get_if<parse_error>(&parsed))
    ADD_FAILURE() << "unexpected parse error: " << error->message;
  return std::move(std::get<object>(parsed));
}

std::string error_of_check(std::string_view text) {
  auto error = check_object(text, "args");
  return error ? error->message : "<accepted>";
}

std::string error_of_parse(std::string_view text) {
  auto parsed = object::parse(text, "args");
  auto* error = std::get_if<parse_error>(&parsed);
  return error ? error->message : "<accepted>";
}

// Every byte from 0x00 to 0x7f, then multi-byte UTF-8 (2, 3 and 4 bytes, U+2028 included).
std::string all_ascii_and_some_unicode() {
  std::string s;
  for (int c = 0; c < 0x80; ++c)
    s += static_cast<char>(c);
  s += "é ✓ \u2028 😀";
  return s;
}

TEST(JsonCheckObject, AcceptsOneObjectWithSurroundingWhitespace) {
  EXPECT_FALSE(check_object(" {\"a\": [1, {\"b\": null}]}\n", "args"));
  EXPECT_FALSE(check_object("{}", "args"));
}

TEST(JsonCheckObject, NamesInputAndSimdjsonCodeForInvalidJson) {
  EXPECT_EQ(error_of_check("{\"a\":").rfind("args: not valid JSON (TAPE_ERROR: ", 0), 0u)
      << error_of_check("{\"a\":");
  EXPECT_EQ(error_of_check("{\"a\": tru}").rfind("args: not valid JSON (T_ATOM_ERROR: ", 0), 0u);
  EXPECT_EQ(error_of_check("{\"a\": \"\xff\"}").rfind("args: not valid JSON (UTF8_ERROR: ", 0), 0u);
  EXPECT_EQ(error_of_check("{\"a\": \"\x01\"}").rfind("args: not valid JSON (UNESCAPED_CHARS: ", 0),
            0u);
}

TEST(JsonCheckObject, EndsTheReasonWithSimdjsonsMessageInParentheses) {
  const std::string message = error_of_check("{\"a\" 1}");
  EXPECT_NE(message.find("improper structure"), std::string::npos) << message;
  EXPECT_EQ(message.back(), ')');
}

TEST(JsonCheckObject, NamesTheTypeOfANonObject) {
  EXPECT_EQ(error_of_check("[1, 2]"), "args: must be a JSON object (got array)");
  EXPECT_EQ(error_of_check("\"text\""), "args: must be a JSON object (got string)");
  EXPECT_EQ(error_of_check("42"), "args: must be a JSON object (got number)");
  EXPECT_EQ(error_of_check("-1.5"), "args: must be a JSON object (got number)");
  EXPECT_EQ(error_of_check("true"), "args: must be a JSON object (got boolean)");
  EXPECT_EQ(error_of_check("null"), "args: must be a JSON object (got null)");
}

TEST(JsonCheckObject, RejectsTrailingGarbageAfterTheObject) {
  EXPECT_EQ(error_of_check("{} x").rfind("args: not valid JSON (", 0), 0u);
  EXPECT_EQ(error_of_check("{}{}").rfind("args: not valid JSON (", 0), 0u);
  EXPECT_EQ(error_of_check("{\"a\":1} 2").rfind("args: not valid JSON (", 0), 0u);
  EXPECT_EQ(error_of_check(std::string_view{"{}\0", 3}).rfind("args: not valid JSON (", 0), 0u);
}

TEST(JsonCheckObject, CallsEmptyAndBlankTextEmpty) {
  EXPECT_EQ(error_of_check(""), "args: empty");
  EXPECT_EQ(error_of_check(" \n\t "), "args: empty");
}

TEST(JsonCheckObject, UsesTheDefaultNameJson) {
  auto error = check_object("[]");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "json: must be a JSON object (got array)");
}

TEST(JsonObjectParse, GivesTheSameErrorsAsCheckObject) {
  for (std::string_view text : {"{\"a\":", "[1]", "{} x", "", "null"})
    EXPECT_EQ(error_of_parse(text), error_of_check(text)) << text;
}

TEST(JsonObjectParse, DoesNotNeedTheInputToOutliveIt) {
  auto text = std::make_unique<std::string>("{\"name\": \"kept\"}");
  object parsed = parse_ok(*text);
  text.reset();
  EXPECT_EQ(parsed.get_string("name"), "kept");
}

constexpr std::string_view every_type = R"({
  "s": "text", "i": -42, "big": 18446744073709551615, "d": 2.5, "whole_double": 3.0,
  "t": true, "f": false, "n": null, "a": [1, "two"], "o": {"k": "v"}
})";

TEST(JsonObjectGetters, GetStringReadsOnlyStrings) {
  object o = parse_ok(every_type);
  EXPECT_EQ(o.get_string("s"), "text");
  for (auto key : {"i", "d", "t", "n", "a", "o", "missing"})
    EXPECT_FALSE(o.get_string(key)) << key;
}

TEST(JsonObjectGetters, GetIntReadsOnlyIntegersThatFitInt64) {
  object o = parse_ok(every_type);
  EXPECT_EQ(o.get_int("i"), -42);
  for (auto key : {"big", "d", "whole_double", "s", "t", "n", "a", "o", "missing"})
    EXPECT_FALSE(o.get_int(key)) << key;
}

TEST(JsonObjectGetters, GetDoubleReadsDoublesAndIntegers) {
  object o = parse_ok(every_type);
  EXPECT_EQ(o.get_double("d"), 2.5);
  EXPECT_EQ(o.get_double("whole_double"), 3.0);
  EXPECT_EQ(o.get_double("i"), -42.0);
  EXPECT_EQ(o.get_double("big"), 18446744073709551615.0);
  for (auto key : {"s", "t", "n", "a", "o", "missing"})
    EXPECT_FALSE(o.get_double(key)) << key;
}

TEST(JsonObjectGetters, GetBoolReadsOnlyBooleans) {
  object o = parse_ok(every_type);
  EXPECT_EQ(o.get_bool("t"), true);
  EXPECT_EQ(o.get_bool("f"), false);
  for (auto key : {"s", "i", "d", "n", "a", "o", "missing"})
    EXPECT_FALSE(o.get_bool(key)) << key;
}

TEST(JsonObjectGetters, HasIsTrueForEveryPresentMemberIncludingNull) {
  object o = parse_ok(every_type);
  for (auto key : {"s", "i", "big", "d", "t", "f", "n", "a", "o"})
    EXPECT_TRUE(o.has(key)) << key;
  EXPECT_FALSE(o.has("missing"));
  EXPECT_FALSE(o.has("k")) << "only top-level members count";
}

TEST(JsonObjectGetters, KeysFollowDocumentOrder) {
  object o = parse_ok(R"({"zeta": 1, "alpha": 2, "mid": {"inner": 3}, "beta": 4})");
  EXPECT_EQ(o.keys(), (std::vector<std::string>{"zeta", "alpha", "mid", "beta"}));
  EXPECT_TRUE(parse_ok("{}").keys().empty());
}

TEST(JsonObjectGetters, GetRawMinifiesNestedValues) {
  object o = parse_ok(R"({"nested": { "a" : [ 1, 2 , {"b": "c d"} ], "e": null },
                          "list": [ ], "s": "x\ny", "n": -7, "t": true})");
  EXPECT_EQ(o.get_raw("nested"), R"({"a":[1,2,{"b":"c d"}],"e":null})");
  EXPECT_EQ(o.get_raw("list"), "[]");
  EXPECT_EQ(o.get_raw("s"), R"("x\ny")");
  EXPECT_EQ(o.get_raw("n"), "-7");
  EXPECT_EQ(o.get_raw("t"), "true");
  EXPECT_FALSE(o.get_raw("missing"));
}

TEST(JsonObjectGetters, GetRawOfANestedObjectParsesAsThatObject) {
  object outer = parse_ok(R"({"inner": {"x": 1, "y": [true]}})");
  object inner = parse_ok(*outer.get_raw("inner"));
  EXPECT_EQ(inner.get_int("x"), 1);
  EXPECT_EQ(inner.get_raw("y"), "[true]");
}

TEST(JsonObjectMove, MovedToObjectKeepsItsMembers) {
  object a = parse_ok(R"({"k": "v"})");
  object b = std::move(a);
  EXPECT_EQ(b.get_string("k"), "v");
  object c = parse_ok("{}");
  c = std::move(b);
  EXPECT_EQ(c.get_string("k"), "v");
}

TEST(JsonQuote, EscapesPerRfc8259) {
  EXPECT_EQ(quote(""), R"("")");
  EXPECT_EQ(quote("plain"), R"("plain")");
  EXPECT_EQ(quote("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(quote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(quote(std::string_view{"\0\x01\x1f", 3}), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(quote("\x7f"), "\"\x7f\"");
}

TEST(JsonQuote, PassesValidUtf8Through) {
  EXPECT_EQ(quote("é ✓ 😀"), "\"é ✓ 😀\"");
}

std::string quoted_replacements(int count) {
  std::string s = "\"";
  for (int i = 0; i < count; ++i)
    s += "\xEF\xBF\xBD";  // U+FFFD
  return s + "\"";
}

TEST(JsonQuote, ReplacesEachMalformedUtf8ByteWithReplacementCharacter) {
  EXPECT_EQ(quote("a\xff" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(quote("\xC0\xAF"), quoted_replacements(2)) << "overlong";
  EXPECT_EQ(quote("\xED\xA0\x80"), quoted_replacements(3)) << "surrogate";
  EXPECT_EQ(quote("\xE2\x9C"), quoted_replacements(2)) << "cut short";
  EXPECT_EQ(quote("\xF4\x90\x80\x80"), quoted_replacements(4)) << "above U+10FFFF";
  EXPECT_EQ(quote("\x80"), quoted_replacements(1)) << "lone continuation byte";
}

TEST(JsonWriter, EscapedStringsRoundTripThroughTheParser) {
  const std::string original = all_ascii_and_some_unicode();
  writer w;
  w.begin_object().key(original).value(original).end_object();
  object o = parse_ok(w.str());
  EXPECT_EQ(o.get_string(original), original);
  EXPECT_EQ(o.keys(), std::vector<std::string>{original});
}

TEST(JsonWriter, MalformedUtf8StillGivesParsableJson) {
  writer w;
  w.begin_object().key("m").value("bad \xC3 byte").end_object();
  EXPECT_EQ(parse_ok(w.str()).get_string("m"), "bad \xEF\xBF\xBD byte");
}

TEST(JsonWriter, WritesCompactJsonWithCommasOnlyBetweenSiblings) {
  writer w;
  w.begin_object()
      .key("a").value(std::int64_t{1})
      .key("b").begin_array().value(true).null().begin_object().end_object().begin_array().end_array().end_array()
      .key("c").begin_object().key("d").value("e").end_object()
      .key("f").raw(R"({"g":[1]})")
      .end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[true,null,{},[]],"c":{"d":"e"},"f":{"g":[1]}})");
}

TEST(JsonWriter, WritesTopLevelArraysAndScalars) {
  writer array;
  array.begin_array().value("x").value(std::uint64_t{2}).value(false).end_array();
  EXPECT_EQ(array.str(), R"(["x",2,false])");
  writer scalar;
  scalar.value(std::int32_t{-3});
  EXPECT_EQ(scalar.take(), "-3");
}

TEST(JsonWriter, WritesIntegerExtremesExactly) {
  writer w;
  w.begin_object()
      .key("min").value(std::numeric_limits<std::int64_t>::min())
      .key("max").value(std::numeric_limits<std::int64_t>::max())
      .key("umax").value(std::numeric_limits<std::uint64_t>::max())
      .end_object();
  EXPECT_EQ(w.str(),
            R"({"min":-9223372036854775808,"max":9223372036854775807,"umax":18446744073709551615})");
  object o = parse_ok(w.str());
  EXPECT_EQ(o.get_int("min"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(o.get_int("max"), std::numeric_limits<std::int64_t>::max());
}

TEST(JsonWriter, DoublesRoundTripExactly) {
  const double values[] = {0.1, -2.5, 1.0 / 3.0, 123456789.123456789, 1e-300, 1e300, -0.0,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::epsilon()};
  for (double v : values) {
    writer w;
    w.begin_object().key("v").value(v).end_object();
    auto parsed = parse_ok(w.str()).get_double("v");
    ASSERT_TRUE(parsed) << w.str();
    EXPECT_EQ(*parsed, v) << w.str();
    EXPECT_EQ(std::signbit(*parsed), std::signbit(v)) << w.str();
  }
}

TEST(JsonWriter, WritesDoublesInShortestFormThatStillReadsAsDouble) {
  writer w;
  w.begin_array().value(0.1).value(2.5).value(100.0).value(-0.0).value(1e20).end_array();
  EXPECT_EQ(w.str(), "[0.1,2.5,100.0,-0.0,1e+20]");
  writer o;
  o.begin_object().key("whole").value(3.0).end_object();
  EXPECT_FALSE(parse_ok(o.str()).get_int("whole")) << "a double is not read back as an integer";
}

TEST(JsonWriter, WritesNullForNanAndInfinity) {
  writer w;
  w.begin_array()
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(std::numeric_limits<double>::infinity())
      .value(-std::numeric_limits<double>::infinity())
      .end_array();
  EXPECT_EQ(w.str(), "[null,null,null]");
}

job full_job() {
  job j;
  j.id = 18000000000000000001ull;
  j.kind = "mesh.generation";
  j.queue = "default";
  j.args = R"({"mesh_id": 7, "parameters": {"detail_factor": 0.5, "formats": ["glb", "obj"]}})";
  j.priority = -3;
  j.attempt = 2;
  j.max_attempts = 5;
  j.recoveries = 1;
  j.state = job_state::retrying;
  j.unique = unique_mode::until_executed;
  j.unique_key = "mesh.generation:7";
  j.enqueued_at = 1700000000000001;
  j.run_at = 1700000000000002;
  j.started_at = 1700000000000003;
  j.finished_at = 1700000000000004;
  j.expires_at = 1700000000000005;
  j.last_error = {"service_error", "mesh service said \"no\"\nretry later", "node-1/exec-9"};
  j.progress = 40;
  j.progress_message = "simplifying";
  return j;
}

TEST(JsonToJson, WritesEveryEnvelopeFieldInOrder) {
  object o = parse_ok(to_json(full_job()));
  EXPECT_EQ(o.keys(), (std::vector<std::string>{
                          "id", "kind", "queue", "args", "priority", "attempt", "max_attempts",
                          "recoveries", "state", "unique", "unique_key", "enqueued_at", "run_at",
                          "started_at", "finished_at", "expires_at", "last_error", "progress",
                          "progress_message"}));
}

TEST(JsonToJson, FullJobParsesBackFieldByField) {
  const job j = full_job();
  object o = parse_ok(to_json(j));
  EXPECT_EQ(o.get_raw("id"), "18000000000000000001");
  EXPECT_EQ(o.get_string("kind"), j.kind);
  EXPECT_EQ(o.get_string("queue"), j.queue);
  EXPECT_EQ(o.get_raw("args"),
            R"({"mesh_id":7,"parameters":{"detail_factor":0.5,"formats":["glb","obj"]}})");
  EXPECT_EQ(o.get_int("priority"), j.priority);
  EXPECT_EQ(o.get_int("attempt"), j.attempt);
  EXPECT_EQ(o.get_int("max_attempts"), j.max_attempts);
  EXPECT_EQ(o.get_int("recoveries"), j.recoveries);
  EXPECT_EQ(o.get_string("state"), "retrying");
  EXPECT_EQ(o.get_string("unique"), "until_executed");
  EXPECT_EQ(o.get_string("unique_key"), j.unique_key);
  EXPECT_EQ(o.get_int("enqueued_at"), j.enqueued_at);
  EXPECT_EQ(o.get_int("run_at"), j.run_at);
  EXPECT_EQ(o.get_int("started_at"), j.started_at);
  EXPECT_EQ(o.get_int("finished_at"), j.finished_at);
  EXPECT_EQ(o.get_int("expires_at"), j.expires_at);
  EXPECT_EQ(o.get_int("progress"), j.progress);
  EXPECT_EQ(o.get_string("progress_message"), j.progress_message);

  object error = parse_ok(*o.get_raw("last_error"));
  EXPECT_EQ(error.keys(), (std::vector<std::string>{"kind", "message", "where"}));
  EXPECT_EQ(error.get_string("kind"), j.last_error.kind);
  EXPECT_EQ(error.get_string("message"), j.last_error.message);
  EXPECT_EQ(error.get_string("where"), j.last_error.where);
}

TEST(JsonToJson, DefaultJobHasNullLastErrorAndItsDefaults) {
  object o = parse_ok(to_json(job{}));
  EXPECT_TRUE(o.has("last_error"));
  EXPECT_EQ(o.get_raw("last_error"), "null");
  EXPECT_EQ(o.get_raw("args"), "{}");
  EXPECT_EQ(o.get_int("id"), 0);
  EXPECT_EQ(o.get_string("state"), "enqueued");
  EXPECT_EQ(o.get_string("unique"), "none");
  EXPECT_EQ(o.get_string("unique_key"), "");
  EXPECT_EQ(o.get_int("expires_at"), 0);
}

TEST(JsonToJson, InsertsValidArgsAsTheyAre) {
  job j;
  j.args = "{ \"a\" : 1 }";
  EXPECT_NE(to_json(j).find(R"("args":{ "a" : 1 },)"), std::string::npos) << to_json(j);
}

TEST(JsonToJson, WritesInvalidArgsAsAString) {
  for (std::string bad : {"not json {", "{\"a\":1} trailing", "", "[1, 2]", "{\"a\":\"\xff\"}"}) {
    job j;
    j.args = bad;
    object o = parse_ok(to_json(j));
    EXPECT_TRUE(o.get_string("args")) << to_json(j);
    EXPECT_EQ(o.get_int("id"), 0) << "the rest of the envelope still reads";
  }
  job j;
  j.args = "not json {";
  EXPECT_EQ(parse_ok(to_json(j)).get_string("args"), "not json {");
}

}  // namespace
}  // namespace meshjobs::json
