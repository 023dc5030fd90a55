import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

/** The contract's `DateTime`: an ISO-8601 string on the wire, a Date in resolvers. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "ISO-8601 date-time string",
  serialize(value) {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new GraphQLError("DateTime cannot represent an invalid date");
    return d.toISOString();
  },
  parseValue(value) {
    const d = new Date(String(value));
    if (typeof value !== "string" || Number.isNaN(d.getTime())) throw new GraphQLError("DateTime must be an ISO-8601 string");
    return d;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || Number.isNaN(new Date(ast.value).getTime())) throw new GraphQLError("DateTime must be an ISO-8601 string");
    return new Date(ast.value);
  },
});
