import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

/** Injection token of the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the validated configuration injectable everywhere with `@Inject(APP_CONFIG)`. */
@Global()
@Module({})
export class ConfigModule {
  /** Registers an already validated config (validation happens before Nest boots, in main.ts). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
