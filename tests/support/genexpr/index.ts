export { compileKernel, type Kernel, type KernelOptions, type ParamInfo } from './compiler';
export { GenExprError } from './tokenizer';
