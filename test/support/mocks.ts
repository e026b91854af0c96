/** The recording mocks the tests share with `npm run plan`. */
export * from "../../tools/offline/mocks";
