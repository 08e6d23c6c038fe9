;; The fast path of `process.output` frames (see newline-escaper.ts): copies bytes with each "\n"
;; written as "\\n", 16 bytes at a time with WebAssembly SIMD. Compiled into
;; newline-escaper-wasm.ts by `node scripts/build-wasm.mjs`.
(module
  (memory (export "memory") 4)
  ;; Copies $len bytes at $in to $out and returns where the output ends, or -1 at a byte that
  ;; JSON must escape other than "\n" (below 0x20, a quote, a backslash). A vector is stored
  ;; whole before its newline is found, so the output needs 16 bytes of room past its end.
  (func (export "escapeNewlines") (param $in i32) (param $len i32) (param $out i32) (result i32)
    (local $end i32) (local $v v128) (local $newlines v128) (local $others v128)
    (local $firstOther i32) (local $firstNewline i32) (local $byte i32)
    (local.set $end (i32.add (local.get $in) (local.get $len)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $in) (i32.const 16)) (local.get $end)))
        (local.set $v (v128.load (local.get $in)))
        (local.set $newlines (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a))))
        (local.set $others
          (v128.or
            (v128.andnot
              (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))
              (local.get $newlines))
            (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))))
        (v128.store (local.get $out) (local.get $v))
        (if (i32.eqz (v128.any_true (v128.or (local.get $newlines) (local.get $others))))
          (then
            (local.set $in (i32.add (local.get $in) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (br $vectors)))
        ;; Lane of the first byte of each kind; 16 when there is none.
        (local.set $firstOther
          (i32.ctz (i32.or (i8x16.bitmask (local.get $others)) (i32.const 0x10000))))
        (local.set $firstNewline
          (i32.ctz (i32.or (i8x16.bitmask (local.get $newlines)) (i32.const 0x10000))))
        (if (i32.lt_u (local.get $firstOther) (local.get $firstNewline))
          (then (return (i32.const -1))))
        ;; The bytes before the newline are stored already; then "\\n", and on after the newline.
        (local.set $out (i32.add (local.get $out) (local.get $firstNewline)))
        (i32.store16 (local.get $out) (i32.const 0x6e5c))
        (local.set $out (i32.add (local.get $out) (i32.const 2)))
        (local.set $in (i32.add (local.get $in) (i32.add (local.get $firstNewline) (i32.const 1))))
        (br $vectors)))
    ;; The last 0-15 bytes, one at a time.
    (block $bytesDone
      (loop $bytes
        (br_if $bytesDone (i32.ge_u (local.get $in) (local.get $end)))
        (local.set $byte (i32.load8_u (local.get $in)))
        (local.set $in (i32.add (local.get $in) (i32.const 1)))
        (if (i32.eq (local.get $byte) (i32.const 0x0a))
          (then
            (i32.store16 (local.get $out) (i32.const 0x6e5c))
            (local.set $out (i32.add (local.get $out) (i32.const 2)))
            (br $bytes)))
        (if (i32.or
              (i32.lt_u (local.get $byte) (i32.const 0x20))
              (i32.or
                (i32.eq (local.get $byte) (i32.const 0x22))
                (i32.eq (local.get $byte) (i32.const 0x5c))))
          (then (return (i32.const -1))))
        (i32.store8 (local.get $out) (local.get $byte))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (br $bytes)))
    (local.get $out)))
