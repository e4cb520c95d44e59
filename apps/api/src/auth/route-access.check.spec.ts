import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Controller, Get, Post } from '@nestjs/common';
import { MetadataScanner, Reflector, type DiscoveryService } from '@nestjs/core';
import { Public, Roles } from './auth.decorators.js';
import { RouteAccessCheck } from './route-access.check.js';

@Roles('admin')
@Controller('declared')
class DeclaredController {
  @Get()
  list(): void {}

  @Public()
  @Get('open')
  open(): void {}

  helper(): void {}
}

@Controller('undeclared')
class UndeclaredController {
  @Roles('mes')
  @Get()
  fine(): void {}

  @Post()
  forgotten(): void {}
}

function check(...controllers: (new () => unknown)[]): RouteAccessCheck {
  // The only part of DiscoveryService the check uses: the controller classes.
  const discovery = {
    getControllers: () => controllers.map((metatype) => ({ metatype })),
  } as unknown as DiscoveryService;
  return new RouteAccessCheck(discovery, new MetadataScanner(), new Reflector());
}

describe('RouteAccessCheck', () => {
  test('passes when every route names its roles or is public', () => {
    assert.doesNotThrow(() => check(DeclaredController).onApplicationBootstrap());
  });

  test('fails start-up naming each route without @Roles or @Public', () => {
    assert.throws(
      () => check(DeclaredController, UndeclaredController).onApplicationBootstrap(),
      /routes without @Roles\(…\) or @Public\(\): UndeclaredController\.forgotten$/,
    );
  });
});
