import { ArgsType, Field, Int } from "type-graphql";

/** react-admin's list parameters, as ra-data-graphql-simple names them. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 1 }) page: number;
  @Field(() => Int, { defaultValue: 25 }) perPage: number;
  @Field(() => String, { nullable: true }) sortField?: string | null;
  @Field(() => String, { nullable: true, description: "ASC or DESC" }) sortOrder?: string | null;
}
