import { type TSchema, Type } from "@sinclair/typebox";

/** Every /api/v3 answer: wire contract §1.6. */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({
    statusCode: Type.Integer(),
    message: Type.String(),
    apiCode: Type.Optional(Type.Integer()),
    requestId: Type.Optional(Type.String()),
    data,
  });
}

/** `CommonResponseDto`: the envelope without data. */
export const CommonResponse = Type.Object({
  statusCode: Type.Integer(),
  message: Type.String(),
  apiCode: Type.Optional(Type.Integer()),
  requestId: Type.Optional(Type.String()),
});

export const SuccessData = Type.Object({ success: Type.Boolean() });

/** `IsSuccessRespDto`: the envelope with `data: {success}`. */
export const SuccessResponse = Envelope(SuccessData);

export const PasswordEncryptType = Type.Union([
  Type.Literal("sm2"),
  Type.Literal("rsa"),
  Type.Literal("none"),
]);

export const Gender = Type.Union([Type.Literal("M"), Type.Literal("F"), Type.Literal("U")]);

/** Query flags arrive as "true"/"false" strings from axios; Fastify coerces them. */
export const BoolFlag = Type.Optional(Type.Boolean({ default: false }));

/** Bounded strings: nothing a client sends may be unbounded. */
export const Str = (max = 1024) => Type.String({ maxLength: max });
export const NonEmpty = (max = 1024) => Type.String({ minLength: 1, maxLength: max });
