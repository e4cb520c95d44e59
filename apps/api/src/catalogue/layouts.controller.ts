import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import {
  CreateLayoutRequest,
  LayoutInputsSchema,
  LayoutVersionParam,
  LayoutView,
  RenderedLayout,
  RenderLayoutRequest,
} from './layouts.schemas.js';
import { LayoutsService } from './layouts.service.js';
import { ProductId } from './products.schemas.js';

@ApiTags('layouts')
@Controller('v1/products/:id/layouts')
export class LayoutsController {
  constructor(@Inject(LayoutsService) private readonly service: LayoutsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: "Add the product's next layout version (YAML or JSON text, validated, immutable)" })
  @ZodResponse(201, LayoutView)
  @ApiProblem('PRODUCT_NOT_FOUND')
  @ApiProblem("LAYOUT_VERSION_CONFLICT: the layout's version is not the product's next version (expectedVersion)")
  @ApiProblem('LAYOUT_INVALID (errors names every issue) or LAYOUT_UNSUPPORTED')
  add(
    @ZodParam('id', ProductId) productId: string,
    @ZodBody(CreateLayoutRequest) body: CreateLayoutRequest,
  ): Promise<LayoutView> {
    return this.service.add(productId, body);
  }

  @Get(':version')
  @Roles('admin', 'mes', 'auditor')
  @ApiOperation({ summary: 'Read a layout version' })
  @ZodResponse(200, LayoutView)
  @ApiProblem('LAYOUT_NOT_FOUND')
  get(
    @ZodParam('id', ProductId) productId: string,
    @ZodParam('version', LayoutVersionParam) version: number,
  ): Promise<LayoutView> {
    return this.service.get(productId, version);
  }

  @Get(':version/inputs-schema')
  @Roles('admin', 'mes', 'auditor')
  @ApiOperation({
    operationId: 'layoutsInputsSchema',
    summary: "The layout version's inputs as JSON Schema (types, ranges, patterns; x-ingrain-secret marks secret ones)",
  })
  @ZodResponse(200, LayoutInputsSchema)
  @ApiProblem('LAYOUT_NOT_FOUND')
  inputsSchema(
    @ZodParam('id', ProductId) productId: string,
    @ZodParam('version', LayoutVersionParam) version: number,
  ): Promise<LayoutInputsSchema> {
    return this.service.inputsSchema(productId, version);
  }

  @Post(':version/render')
  @Roles('admin', 'mes')
  @ApiOperation({
    summary:
      'Dry run: sample values → OTP image and decoded fields (placeholders for generated fields; nothing stored)',
  })
  @ZodResponse(200, RenderedLayout)
  @ApiProblem('LAYOUT_NOT_FOUND')
  @ApiProblem('VALUES_INVALID (errors names each field) or IDENTITY_INPUT_INVALID (a value for a generated field)')
  render(
    @ZodParam('id', ProductId) productId: string,
    @ZodParam('version', LayoutVersionParam) version: number,
    @ZodBody(RenderLayoutRequest) body: RenderLayoutRequest,
  ): Promise<RenderedLayout> {
    return this.service.render(productId, version, body);
  }
}
