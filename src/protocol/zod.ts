/**
 * zod as every schema of cc-executor uses it: `zod/mini`, the functional API. A bundle keeps only
 * the parts of it we call; the classic API (`z.string().min(1)`) brings the whole library along,
 * ~580 KB of source that a server would keep resident and the browser SDK would ship
 * (docs/benchmarks.md, "The memory goals").
 *
 * zod/mini loads no messages by itself ("Invalid input" for everything); English is set up here,
 * unless the application has already chosen a locale for zod (the setting is global to zod).
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

if (config().localeError === undefined) config(en());

export type { infer, input, ZodMiniType } from "zod/mini";
// Import it as a namespace (`import * as z from "./zod.js"`): a bundler resolves `z.string` to
// the one export, which is what lets it leave the rest of zod out. The parts of zod cc-executor
// uses, by name: a new one is added here.
export {
  _default,
  array,
  boolean,
  core,
  describe,
  enum,
  gte,
  int,
  length,
  literal,
  looseObject,
  lte,
  maxLength,
  minLength,
  never,
  nullable,
  number,
  object,
  optional,
  pipe,
  positive,
  prefault,
  record,
  refine,
  regex,
  strictObject,
  string,
  superRefine,
  transform,
  union,
  unknown,
} from "zod/mini";
