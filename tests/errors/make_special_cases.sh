#!/usr/bin/env bash
# Writes the error cases that are awkward to type or to keep by hand: files
# with NUL bytes, invalid UTF-8, control characters, CR line ends or a byte
# order mark, and the model with one layer too many. The files themselves
# are committed (see .gitattributes: no end-of-line conversion); run this
# only to recreate them, then `./regen.sh` for their .err files.
#
#   tests/errors/make_special_cases.sh
set -euo pipefail
cd "$(dirname "$0")"

# --- source validation (source.c) ---------------------------------------
printf '# file: a NUL byte in the text\nmodel m {\n  input { vocab 10\0 length 5 }\n}\n' \
  > file_nul_byte.rnn
# The start of an ELF executable handed over as a spec.
printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00' \
  > file_binary_garbage.rnn
printf '# file: a Latin-1 byte (0xe9) is not UTF-8\nmodel caf\xe9 {\n}\n' \
  > file_invalid_utf8.rnn
printf '# file: a UTF-8 continuation byte with no lead byte\nmodel m { \x80 }\n' \
  > file_utf8_stray_continuation.rnn
printf '# file: an overlong encoding of "/" (0xc0 0xaf)\nmodel m \xc0\xaf {\n}\n' \
  > file_utf8_overlong.rnn
printf '# file: an encoded UTF-16 surrogate (U+D800)\nmodel m {\n  # \xed\xa0\x80\n}\n' \
  > file_utf8_surrogate.rnn
printf '# file: a code point above U+10FFFF\nmodel m {\n  # \xf4\x90\x80\x80\n}\n' \
  > file_utf8_above_max.rnn
printf '# file: a multi-byte sequence cut short by the end of the file\nmodel m { } # \xe2\x82' \
  > file_utf8_truncated.rnn
printf '\xef\xbb\xbfmodel int {  # positions: a leading byte order mark is not a column\n}\n' \
  > file_bom.rnn
printf '# positions: CRLF line ends; the excerpt shows no CR\r\nmodel m {\r\n  input { vocab 10  length 5 }\r\n  lstm enc { units 8  peephole maybe }\r\n}\r\n' \
  > file_crlf.rnn
printf '# positions: CR-only line ends (classic Mac) are one long line\rmodel m {\r  input { vocab 10  length 5 }\r  lstm enc { units 0 }\r}\r' \
  > file_cr_only.rnn

# --- lexer: control characters ------------------------------------------
printf '# lexer: a control character (0x01) in the text\nmodel m {\n  input { vocab 10 \x01 length 5 }\n}\n' \
  > lex_control_char.rnn
printf '# lexer: a DEL character (0x7f)\nmodel m {\x7f}\n' \
  > lex_del_char.rnn
printf '# lexer: an escape character (0x1b) after a tab\nmodel m {\n\tinput {\t\x1b }\n}\n' \
  > lex_escape_char.rnn

# --- checker: one layer more than IR_MAX_LAYERS (32) --------------------
{
  echo '# layers: 33 layers, one more than a model may have'
  echo 'model m {'
  echo '  input { features 4  length 5 }'
  for i in $(seq 1 32); do
    echo "  gru g$i { units 4 }"
  done
  echo '  dense out { units 1 }'
  echo '}'
} > layer_too_many.rnn

# --- YAML -----------------------------------------------------------------
printf '# yaml: a NUL byte\nmodel m:\n  input: {vocab: 10\0}\n' > yaml_nul_byte.yaml
printf '# yaml: invalid UTF-8\nmodel m:\n  input: {vocab: \xff10}\n' > yaml_invalid_utf8.yaml
printf '# yaml: a control character inside a value (libyaml reader error)\nmodel m:\n  input: {vocab: 10, length: 5}\n  sample: {prime: "a\x01b"}\n' \
  > yaml_control_char.yaml
printf '# yaml: CRLF line ends\r\nmodel m:\r\n  input: {vocab: 10, length: 5}\r\n  layers:\r\n    - lstm enc: {units: 8, biases: 3}\r\n' \
  > yaml_crlf.yaml
printf '\xef\xbb\xbfmodel int:  # yaml: a byte order mark before the model\n  input: {vocab: 10, length: 5}\n' \
  > yaml_bom.yaml
