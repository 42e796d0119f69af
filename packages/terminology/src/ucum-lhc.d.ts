// @lhncbc/ucum-lhc has no type declarations; ucum.ts gives the part it uses a shape.
declare module '@lhncbc/ucum-lhc' {
  const ucumLhc: unknown;
  export default ucumLhc;
}
