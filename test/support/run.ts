/** The offline runner the tests share with `npm run plan`: the real index.ts under Pulumi mocks. */
export * from "../../tools/offline/run";
